/**
 * Preloaded by bun test (bunfig.toml): the test process's event loop turns at least every 50 ms,
 * as a server's does with its polls. Without it, after a run's first pass over cold modules, a
 * completion that should wake an idle loop sometimes did not: the main thread sat in epoll_wait
 * with no CPU used until the next timer, and an SMTP connect to 127.0.0.1 took 3-37 s instead of
 * milliseconds (nodemailer's 15 s timeout failed two CI runs). docs/decisions.md, "The test
 * process's event loop is kept turning".
 */
setInterval(() => {}, 50).unref();
