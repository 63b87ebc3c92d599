import Foundation
import SpectraBase

/// Who runs the server programs: the current user, or `postgres` when the process is
/// root, because PostgreSQL refuses to run as root.
struct ServerOwner {
    /// The user to run programs as through runuser; nil for the current user.
    let runAs: String?
    let uid: uid_t
    let gid: gid_t

    static func current() throws(PostgresError) -> ServerOwner {
        guard geteuid() == 0 else { return ServerOwner(runAs: nil, uid: geteuid(), gid: getegid()) }
        guard let entry = getpwnam("postgres") else {
            throw PostgresError(.serverControl,
                "running as root, but there is no 'postgres' user to run the server as "
                + "(PostgreSQL refuses to run as root); create one or run as an ordinary user")
        }
        return ServerOwner(runAs: "postgres", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// Creates `directory` if missing, owned by the server's user with mode 0700; when
    /// running as root, first checks that the server's user can reach it.
    func prepare(directory: URL, purpose: String) throws(PostgresError) {
        let path = directory.path
        if runAs != nil { try checkTraversable(path, purpose: purpose) }
        var info = stat()
        if stat(path, &info) != 0 {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
            } catch {
                throw PostgresError(.serverControl, "cannot create the \(purpose) \(path): \(FileAccess.reason(error))")
            }
            try own(path, purpose: purpose)
            return
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw PostgresError(.serverControl, "the \(purpose) \(path) exists and is not a directory")
        }
        guard info.st_uid != uid else { return }
        let isEmpty = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).isEmpty
        if runAs != nil, isEmpty {
            try own(path, purpose: purpose)
        } else if !writableByOwner(info) {
            throw PostgresError(.serverControl,
                "the \(purpose) \(path) belongs to uid \(info.st_uid), not to the server's user (uid \(uid)), "
                + "and the server cannot write there; use another directory")
        }
    }

    private func own(_ path: String, purpose: String) throws(PostgresError) {
        if runAs != nil, chown(path, uid, gid) != 0 {
            throw PostgresError(.serverControl,
                "cannot give the \(purpose) \(path) to the postgres user: \(String(cString: strerror(errno)))")
        }
        // 0700: the server runs with trust authentication, so only its owner (and root)
        // may reach the socket or the files.
        if chmod(path, 0o700) != 0 {
            throw PostgresError(.serverControl, "cannot set mode 0700 on \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func writableByOwner(_ info: stat) -> Bool {
        if info.st_uid == uid { return info.st_mode & S_IWUSR != 0 }
        if info.st_gid == gid { return info.st_mode & S_IWGRP != 0 }
        return info.st_mode & S_IWOTH != 0
    }

    /// Every existing ancestor of `path` must grant the server's user search permission.
    private func checkTraversable(_ path: String, purpose: String) throws(PostgresError) {
        var ancestor = ""
        for component in path.split(separator: "/").dropLast() {
            ancestor += "/" + component
            var info = stat()
            guard stat(ancestor, &info) == 0 else { return }  // created later, mode 0755
            let searchable: Bool
            if info.st_uid == uid {
                searchable = info.st_mode & S_IXUSR != 0
            } else if info.st_gid == gid {
                searchable = info.st_mode & S_IXGRP != 0
            } else {
                searchable = info.st_mode & S_IXOTH != 0
            }
            if !searchable {
                throw PostgresError(.serverControl,
                    "the \(purpose) \(path) is unreachable for the postgres user (uid \(uid)), which runs the "
                    + "server because PostgreSQL refuses to run as root: it cannot enter \(ancestor) (mode "
                    + String(info.st_mode & 0o7777, radix: 8) + ", owner uid \(info.st_uid)); choose a directory "
                    + "outside it or allow entry with chmod o+x \(ancestor)")
            }
        }
    }
}
