/// How the elements of a dense `rows × columns` buffer are laid out.
public enum StorageOrder: String, Sendable, Codable, Equatable {
    /// C order: element (i, j) at `i * columns + j` (safetensors, `.npy` default).
    case rowMajor
    /// Fortran order: element (i, j) at `j * rows + i` (`.npy` with `fortran_order`).
    case columnMajor
}
