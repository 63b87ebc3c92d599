#ifndef SPECTRA_CLINALG_SHIM_H
#define SPECTRA_CLINALG_SHIM_H
// lapacke.h otherwise defines its complex types through <complex.h>, which Swift's
// C importer does not map. Spectra never calls the complex routines, so plain structs
// with the same layout are enough to let the header parse.
typedef struct { float real, imag; } spectra_complex_float;
typedef struct { double real, imag; } spectra_complex_double;
#define lapack_complex_float spectra_complex_float
#define lapack_complex_double spectra_complex_double
#include <cblas.h>
#include <lapacke.h>
#endif
