# R glmnet family="cox" for bench/cox.py: tolerance sweep over a lambda grid,
# then timing runs of the first thresh that reaches the target, then
# cv.glmnet on the same grid and folds.
#
# Usage: Rscript _glmnet_cox.R DIR TARGET TOLS REPEAT DO_CV
# DIR holds meta.txt (n p), X.bin (dense, column major), time.bin, status.bin
# (int32), lambdas.bin, pstar.bin (one P* per lambda) and foldid.bin (int32,
# 1-based).  Objective (Breslow ties): coxnet.deviance / (2n) + lambda |b|_1
# (the deviance is 0 at the saturated model, as sparsefit's Cox datafit),
# standardize=FALSE.  Times are wall-clock seconds of the glmnet() /
# cv.glmnet() calls only.
# Output lines:
#   SWEEP <k> <tol> <seconds> <worst rel. subopt>
#   FINAL <tol> <seconds> <seconds> ...
#   CV <seconds>

args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
target <- as.numeric(args[2])
tols <- as.numeric(strsplit(args[3], ",")[[1]])
nrep <- as.integer(args[4])
do_cv <- as.integer(args[5])
suppressMessages(library(glmnet))
suppressMessages(library(survival))
meta <- scan(file.path(dir, "meta.txt"), quiet = TRUE)
n <- meta[1]
p <- meta[2]
X <- matrix(readBin(file.path(dir, "X.bin"), "double", n * p), n, p)
y <- Surv(readBin(file.path(dir, "time.bin"), "double", n),
          readBin(file.path(dir, "status.bin"), "integer", n))
nl <- file.size(file.path(dir, "lambdas.bin")) / 8
lams <- readBin(file.path(dir, "lambdas.bin"), "double", nl)
pstar <- readBin(file.path(dir, "pstar.bin"), "double", nl)
now <- function() as.numeric(Sys.time())
fit_once <- function(tol) {
  t0 <- now()
  f <- glmnet(X, y, family = "cox", lambda = lams, standardize = FALSE,
              thresh = tol, maxit = 10^6)
  list(t = now() - t0, f = f)
}
objectives <- function(f) {
  m <- length(lams)
  if (length(f$lambda) < m) return(rep(Inf, m))
  B <- as.matrix(f$beta)
  eta <- X %*% B
  sapply(1:m, function(k) coxnet.deviance(pred = eta[, k], y = y) / (2 * n) +
         lams[k] * sum(abs(B[, k])))
}
invisible(fit_once(tols[1]))  # warm-up
chosen <- NA
for (k in seq_along(tols)) {
  res <- suppressWarnings(fit_once(tols[k]))
  worst <- max((objectives(res$f) - pstar) / pstar)
  cat("SWEEP", k, format(tols[k], digits = 3), format(res$t, digits = 6),
      format(worst, digits = 4), "\n")
  if (worst <= target) {
    chosen <- k
    break
  }
}
if (!is.na(chosen)) {
  times <- sapply(seq_len(nrep), function(r) suppressWarnings(fit_once(tols[chosen]))$t)
  cat("FINAL", format(tols[chosen], digits = 3),
      paste(format(times, digits = 6), collapse = " "), "\n")
  if (do_cv == 1) {
    foldid <- readBin(file.path(dir, "foldid.bin"), "integer", n)
    t0 <- now()
    cvf <- suppressWarnings(cv.glmnet(X, y, family = "cox", lambda = lams,
        standardize = FALSE, thresh = tols[chosen], foldid = foldid, maxit = 10^6))
    cat("CV", format(now() - t0, digits = 6), "\n")
  }
}
