import Testing
@testable import Postgres

/// Password masking and database substitution for both connection string forms.
@Suite struct ConnectionStringTests {
    @Test func masksURIPasswords() {
        #expect(ConnectionString.masked("postgresql://spectra:s3cret@db.example/spectra")
                == "postgresql://spectra:***@db.example/spectra")
        #expect(ConnectionString.masked("postgres://u:p%40ss@h:5433/d?sslmode=require&password=other")
                == "postgres://u:***@h:5433/d?sslmode=require&password=***")
        #expect(ConnectionString.masked("postgresql:///spectra?host=/tmp/sock&user=spectra")
                == "postgresql:///spectra?host=/tmp/sock&user=spectra")
    }

    @Test func masksKeywordPasswords() {
        #expect(ConnectionString.masked("host=/sock dbname=x password=hunter2 user=u")
                == "host=/sock dbname=x password=*** user=u")
        #expect(ConnectionString.masked("host=h password = spaced user=u") == "host=h password = *** user=u")
        let quoted = ConnectionString.masked("host=h password='a b\\'c' user=u")
        #expect(quoted == "host=h password=*** user=u")
        #expect(!quoted.contains("a b"))
    }

    @Test func replacesTheDatabase() {
        #expect(ConnectionString.replacingDatabase(in: "postgresql://u:p@h:5432/spectra?sslmode=disable", with: "t1")
                == "postgresql://u:p@h:5432/t1?sslmode=disable")
        #expect(ConnectionString.replacingDatabase(in: "postgresql:///spectra?host=/s&dbname=x&user=u", with: "t2")
                == "postgresql:///t2?host=/s&user=u")
        #expect(ConnectionString.replacingDatabase(in: "postgresql://h", with: "t3") == "postgresql://h/t3")
        #expect(ConnectionString.replacingDatabase(in: "host=/s dbname=a", with: "t4") == "host=/s dbname=a dbname='t4'")
    }
}
