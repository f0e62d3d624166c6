# Tolerance sweep for R glmnet, driven by bench/single_alpha.py.
#
# Usage: Rscript _glmnet_sweep.R DIR LAMBDA PSTAR TARGET TOLS REPEAT MAX_S BUDGET_S
# DIR holds meta.txt (n p is_sparse nnz), y.bin and X.bin (dense, column
# major) or data.bin / indices.bin / indptr.bin (CSC, 0-based), all written
# by Python. Times are wall-clock seconds of the glmnet() call only (data
# loading excluded), taken with Sys.time(). Objective:
# 1/(2n)||y - Xb||^2 + lambda ||b||_1 with standardize=FALSE, intercept=FALSE.
# Output lines (parsed by Python):
#   WARMUP <seconds>
#   SWEEP <k> <tol> <seconds> <objective>   (coefficients in coef_<k>.bin)
#   FINAL <tol> <seconds> <seconds> ...

args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
lam <- as.numeric(args[2])
pstar <- as.numeric(args[3])
target <- as.numeric(args[4])
tols <- as.numeric(strsplit(args[5], ",")[[1]])
nrep <- as.integer(args[6])
max_s <- as.numeric(args[7])
budget_s <- as.numeric(args[8])

suppressMessages(library(Matrix))
suppressMessages(library(glmnet))

meta <- scan(file.path(dir, "meta.txt"), quiet = TRUE)
n <- meta[1]
p <- meta[2]
y <- readBin(file.path(dir, "y.bin"), "double", n)
if (meta[3] == 0) {
  X <- matrix(readBin(file.path(dir, "X.bin"), "double", n * p), n, p)
} else {
  nnz <- meta[4]
  x <- readBin(file.path(dir, "data.bin"), "double", nnz)
  i <- readBin(file.path(dir, "indices.bin"), "integer", nnz)
  pp <- readBin(file.path(dir, "indptr.bin"), "integer", p + 1)
  X <- sparseMatrix(i = i, p = pp, x = x, dims = c(n, p), index1 = FALSE)
}

now <- function() as.numeric(Sys.time())

fit_once <- function(tol) {
  t0 <- now()
  f <- glmnet(X, y, family = "gaussian", lambda = lam, standardize = FALSE,
              intercept = FALSE, thresh = tol)
  t <- now() - t0
  list(t = t, b = as.numeric(coef(f, s = lam, exact = FALSE))[-1])
}

objective <- function(b) {
  r <- y - as.numeric(X %*% b)
  sum(r^2) / (2 * n) + lam * sum(abs(b))
}

warm <- fit_once(tols[1])
cat("WARMUP", format(warm$t, digits = 10), "\n")
spent <- warm$t
chosen <- NA
for (k in seq_along(tols)) {
  res <- fit_once(tols[k])
  obj <- objective(res$b)
  writeBin(res$b, file.path(dir, sprintf("coef_%d.bin", k)))
  cat("SWEEP", k, format(tols[k], digits = 3), format(res$t, digits = 10),
      format(obj, digits = 17), "\n")
  spent <- spent + res$t
  if ((obj - pstar) / pstar <= target) {
    chosen <- k
    break
  }
  if (res$t > max_s || spent > budget_s) break
}
if (!is.na(chosen)) {
  if (res$t > max_s) {
    times <- res$t
  } else {
    times <- sapply(seq_len(nrep), function(r) fit_once(tols[chosen])$t)
  }
  cat("FINAL", format(tols[chosen], digits = 3),
      paste(format(times, digits = 10), collapse = " "), "\n")
}
