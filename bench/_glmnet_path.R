# Whole-path tolerance sweep and 10-fold CV for R glmnet, driven by
# bench/path_cv.py.
#
# Usage: Rscript _glmnet_path.R DIR TOLS TARGET REPEAT MAX_S BUDGET_S CV_REPEAT
#                               CV_SINGLE_ABOVE CV_BUDGET_S
# DIR holds meta.txt (n p is_sparse nnz), y.bin, grid.bin (the decreasing
# lambda grid), foldid.bin (1-based fold of each sample, int32) and X.bin
# (dense, column major) or data.bin / indices.bin / indptr.bin (CSC, 0-based).
# CV_REPEAT = 0 skips the CV.
#
# Objective at each lambda: 1/(2n)||y - Xb||^2 + lambda ||b||_1
# (standardize=FALSE, intercept=FALSE, lambda = the grid, thresh = tol,
# maxit = 1e8).
# With a user lambda sequence glmnet does not stop early on the deviance.
# Times are wall-clock seconds of the glmnet() / cv.glmnet() call only (data
# loading excluded). The worst relative duality gap over the path is computed
# here with the formula of ANCHORS.md and checked again in Python from the
# coefficients of the chosen run (beta_{i,p,x}.bin, the dgCMatrix slots).
# Output lines (parsed by Python):
#   WARMUP <seconds>
#   SWEEP <k> <tol> <seconds> <worst gap/P> <n_lambda fitted>
#   FINAL <tol> <seconds> <seconds> ...
#   CV <seconds> <lambda.min>            (one line per CV run)
#   CVFAIL <reason>
#   NOTE <text>

args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
tols <- as.numeric(strsplit(args[2], ",")[[1]])
target <- as.numeric(args[3])
nrep <- as.integer(args[4])
max_s <- as.numeric(args[5])
budget_s <- as.numeric(args[6])
cv_rep <- as.integer(args[7])
cv_single_above <- as.numeric(args[8])
cv_budget_s <- if (length(args) >= 9) as.numeric(args[9]) else budget_s

suppressMessages(library(Matrix))
suppressMessages(library(glmnet))

meta <- scan(file.path(dir, "meta.txt"), quiet = TRUE)
n <- meta[1]
p <- meta[2]
y <- readBin(file.path(dir, "y.bin"), "double", n)
grid <- readBin(file.path(dir, "grid.bin"), "double", 10000)
foldid <- readBin(file.path(dir, "foldid.bin"), "integer", n)
# --criterion subopt: reference objectives per lambda; the criterion is then
# max (P - P*)/P* instead of the worst relative gap.
pstar <- NULL
if (file.exists(file.path(dir, "pstar.bin")))
  pstar <- readBin(file.path(dir, "pstar.bin"), "double", 10000)
m <- length(grid)
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
# maxit counts passes over all lambdas together (default 1e5): raised so that
# tight thresh values are not cut short (a cut path has fewer columns).
maxit <- 1e8

fit_once <- function(tol) {
  t0 <- now()
  f <- glmnet(X, y, family = "gaussian", lambda = grid, standardize = FALSE,
              intercept = FALSE, thresh = tol, maxit = maxit)
  list(t = now() - t0, f = f)
}

worst_gap <- function(B) {
  # B: p x m' (m' <= m lambdas fitted)
  k <- ncol(B)
  R <- y - as.matrix(X %*% B)
  G <- as.matrix(crossprod(X, R))
  lam <- grid[seq_len(k)]
  xtr <- pmax(apply(abs(G), 2, max), 1e-300)
  s <- pmin(1, n * lam / xtr)
  rss <- colSums(R^2)
  P <- rss / (2 * n) + lam * colSums(abs(as.matrix(B)))
  if (!is.null(pstar)) return(max((P - pstar[seq_len(k)]) / pstar[seq_len(k)]))
  yy <- sum(y^2)
  D <- (yy - colSums((y - sweep(R, 2, s, `*`))^2)) / (2 * n)
  max((P - D) / P)
}

warm <- fit_once(tols[1])
cat("WARMUP", format(warm$t, digits = 10), "\n")
spent <- warm$t
# Decade search, as path_cv.py: after a miss skip floor(log10(gap/target))
# decades ahead (at least one); after a hit reached by skipping, step back one
# decade at a time until a miss.
chosen <- NA
best <- NULL
hit_beta <- list()
seen <- rep(NA, length(tols))
k <- 1
repeat {
  res <- fit_once(tols[k])
  B <- res$f$beta
  g <- worst_gap(B)
  cat("SWEEP", k, format(tols[k], digits = 3), format(res$t, digits = 10),
      format(g, digits = 6), ncol(B), "\n")
  spent <- spent + res$t
  ok <- ncol(B) == m && g <= target
  seen[k] <- ok
  if (ok) {
    hit_beta[[as.character(k)]] <- B
    if (k == 1 || !is.na(seen[k - 1])) {
      chosen <- k
      break
    }
    nxt <- k - 1
  } else {
    if (k < length(tols) && isTRUE(seen[k + 1])) {
      chosen <- k + 1
      break
    }
    jump <- max(1, floor(log10(g / target)))
    if (!is.finite(jump)) jump <- 1
    nxt <- min(k + jump, length(tols))
    if (nxt <= k) break
  }
  if (res$t > max_s || spent > budget_s) break
  k <- nxt
}
if (is.na(chosen) && length(hit_beta) > 0) {
  chosen <- min(as.integer(names(hit_beta)))
  cat("NOTE looser neighbour not tried\n")
}
if (!is.na(chosen)) best <- hit_beta[[as.character(chosen)]]
if (!is.na(chosen)) {
  best <- as(best, "CsparseMatrix")
  writeBin(as.integer(best@i), file.path(dir, "beta_i.bin"))
  writeBin(as.integer(best@p), file.path(dir, "beta_p.bin"))
  writeBin(as.numeric(best@x), file.path(dir, "beta_x.bin"))
  last_t <- res$t
  if (last_t > max_s) {
    times <- last_t
  } else {
    times <- sapply(seq_len(nrep), function(r) fit_once(tols[chosen])$t)
  }
  cat("FINAL", format(tols[chosen], digits = 3),
      paste(format(times, digits = 10), collapse = " "), "\n")
  if (cv_rep > 0) {
    for (r in seq_len(cv_rep)) {
      out <- tryCatch({
        setTimeLimit(elapsed = cv_budget_s, transient = TRUE)
        t0 <- now()
        cvf <- cv.glmnet(X, y, lambda = grid, foldid = foldid,
                         standardize = FALSE, intercept = FALSE,
                         thresh = tols[chosen], maxit = maxit)
        t <- now() - t0
        setTimeLimit(elapsed = Inf)
        list(t = t, lmin = cvf$lambda.min)
      }, error = function(e) {
        setTimeLimit(elapsed = Inf)
        list(err = gsub("[\r\n]", " ", conditionMessage(e)))
      })
      if (!is.null(out$err)) {
        cat("CVFAIL", out$err, "\n")
        break
      }
      cat("CV", format(out$t, digits = 10), format(out$lmin, digits = 17), "\n")
      if (out$t > cv_single_above) break
    }
  }
}
