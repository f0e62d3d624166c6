# R glmnet (binomial / multinomial) for bench/glm.py: tolerance sweep at one
# lambda or over a whole grid, then timing runs, then (optionally) cv.glmnet.
#
# Usage: Rscript _glmnet_glm.R DIR FAMILY TARGET TOLS REPEAT MAX_S BUDGET_S DO_CV
# DIR holds meta.txt (n p is_sparse nnz K), y.bin (int32 labels 0..K-1),
# X.bin (dense, column major) or data.bin / indices.bin / indptr.bin (CSC,
# 0-based), lambdas.bin and pstar.bin (one P* per lambda), foldid.bin (int32,
# 1-based) when DO_CV is 1. Objective: binomial / multinomial (ungrouped)
# -loglik/n + lambda * sum|b|, standardize=FALSE, intercept=FALSE. Times are
# wall-clock seconds of the glmnet() / cv.glmnet() call only.
# Output lines:
#   WARMUP <seconds>
#   SWEEP <k> <tol> <seconds> <worst rel. subopt>
#   FINAL <tol> <seconds> <seconds> ...
#   CV <seconds> <lambda.min>

args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
family <- args[2]
target <- as.numeric(args[3])
tols <- as.numeric(strsplit(args[4], ",")[[1]])
nrep <- as.integer(args[5])
max_s <- as.numeric(args[6])
budget_s <- as.numeric(args[7])
do_cv <- as.integer(args[8])

suppressMessages(library(Matrix))
suppressMessages(library(glmnet))

meta <- scan(file.path(dir, "meta.txt"), quiet = TRUE)
n <- meta[1]
p <- meta[2]
K <- meta[5]
ylab <- readBin(file.path(dir, "y.bin"), "integer", n)
y <- factor(ylab, levels = 0:(K - 1))
if (meta[3] == 0) {
  X <- matrix(readBin(file.path(dir, "X.bin"), "double", n * p), n, p)
} else {
  nnz <- meta[4]
  x <- readBin(file.path(dir, "data.bin"), "double", nnz)
  i <- readBin(file.path(dir, "indices.bin"), "integer", nnz)
  pp <- readBin(file.path(dir, "indptr.bin"), "integer", p + 1)
  X <- sparseMatrix(i = i, p = pp, x = x, dims = c(n, p), index1 = FALSE)
}
nl <- file.size(file.path(dir, "lambdas.bin")) / 8
lams <- readBin(file.path(dir, "lambdas.bin"), "double", nl)
pstar <- readBin(file.path(dir, "pstar.bin"), "double", nl)

now <- function() as.numeric(Sys.time())

fit_once <- function(tol) {
  t0 <- now()
  f <- glmnet(X, y, family = family, lambda = lams, standardize = FALSE,
              intercept = FALSE, thresh = tol, maxit = 10^7)
  list(t = now() - t0, f = f)
}

# objective at each lambda, computed from the returned coefficients
objectives <- function(f) {
  m <- length(lams)
  out <- rep(Inf, m)
  if (length(f$lambda) < m) return(out)
  if (family == "binomial") {
    B <- as.matrix(f$beta)
    Z <- as.matrix(X %*% B)
    s <- ifelse(ylab == 1, 1, -1)
    for (k in 1:m) {
      z <- -s * Z[, k]
      out[k] <- mean(pmax(z, 0) + log1p(exp(-abs(z)))) + lams[k] * sum(abs(B[, k]))
    }
  } else {
    Bs <- lapply(f$beta, as.matrix)  # K matrices p x m
    for (k in 1:m) {
      W <- sapply(Bs, function(B) B[, k])  # p x K
      Z <- as.matrix(X %*% W)
      mx <- apply(Z, 1, max)
      lse <- mx + log(rowSums(exp(Z - mx)))
      out[k] <- mean(lse - Z[cbind(1:n, ylab + 1)]) + lams[k] * sum(abs(W))
    }
  }
  out
}

warm <- fit_once(tols[1])
cat("WARMUP", format(warm$t, digits = 10), "\n")
spent <- warm$t
chosen <- NA
for (k in seq_along(tols)) {
  res <- fit_once(tols[k])
  worst <- max((objectives(res$f) - pstar) / pstar)
  cat("SWEEP", k, format(tols[k], digits = 3), format(res$t, digits = 10),
      format(worst, digits = 6), "\n")
  spent <- spent + res$t
  if (worst <= target) {
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
  if (do_cv == 1) {
    foldid <- readBin(file.path(dir, "foldid.bin"), "integer", n)
    t0 <- now()
    cvf <- cv.glmnet(X, y, family = family, lambda = lams, standardize = FALSE,
                     intercept = FALSE, thresh = tols[chosen], foldid = foldid,
                     maxit = 10^7)
    cat("CV", format(now() - t0, digits = 10), format(cvf$lambda.min, digits = 10), "\n")
  }
}
