import type { Logger } from '../logger';

/**
 * What a person sees while `go install -v` builds the Temporal CLI (minutes, the first time): on a terminal
 * a spinner line with the elapsed time and what Go is doing, redrawn in place; elsewhere (CI, a log file)
 * one log line every `intervalMs`. Go prints `go: downloading <module> <version>` while it fetches modules
 * and, with -v, each package's import path once it is compiled.
 */
class GoBuildActivity {
  /** `expectedPackages`: about how many a build from an empty Go cache compiles (fewer when cached). */
  constructor(private readonly expectedPackages?: number) {}

  private downloads = 0;
  private packages = 0;
  private last = '';

  /** Feeds one line of Go's output. */
  line(raw: string): void {
    const text = raw.trim();
    const download = /^go: downloading (\S+) (\S+)/.exec(text);
    if (download) {
      this.downloads++;
      this.last = `${download[1]} ${download[2]}`;
    } else if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(text)) {
      this.packages++;
      this.last = text;
    }
  }

  /** e.g. "compiling: 412 of ~1,300 packages (go.temporal.io/server/common/log)". */
  summary(): string {
    const of = this.expectedPackages ? ` of ~${this.expectedPackages.toLocaleString('en-US')}` : '';
    if (this.packages > 0) return `compiling: ${this.packages}${of} packages (${this.last})`;
    if (this.downloads > 0) return `downloading modules: ${this.downloads} so far (${this.last})`;
    return 'starting go install';
  }
}

function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

export interface BuildProgressOptions {
  log: Logger;
  /** What is being built, for each line: "building the Temporal CLI (once; 3–9 minutes on two cores)". */
  title: string;
  /** Where the spinner goes when it is a terminal. Default process.stderr. */
  stream?: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>;
  /** Log line interval without a terminal. Default 20 s. */
  intervalMs?: number;
  /** Spinner redraw interval on a terminal. Default 100 ms. */
  spinnerMs?: number;
  /** About how many packages the build compiles from an empty Go cache, to show progress against. */
  expectedPackages?: number;
}

export interface BuildProgress {
  line(text: string): void;
  /** Stops reporting and clears the spinner line. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startBuildProgress(opts: BuildProgressOptions): BuildProgress {
  const stream = opts.stream ?? process.stderr;
  const activity = new GoBuildActivity(opts.expectedPackages);
  const started = performance.now();
  const elapsed = () => formatElapsed(performance.now() - started);
  let timer: NodeJS.Timeout;
  if (stream.isTTY) {
    let frame = 0;
    const draw = () => {
      const text = `${FRAMES[frame++ % FRAMES.length]} ${opts.title}: ${elapsed()}, ${activity.summary()}`;
      const width = (stream as { columns?: number }).columns ?? 120;
      stream.write(`\r\x1b[K${text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text}`);
    };
    draw();
    timer = setInterval(draw, opts.spinnerMs ?? 100);
  } else {
    timer = setInterval(() => opts.log.info(`${opts.title}: ${elapsed()} elapsed, ${activity.summary()}`), opts.intervalMs ?? 20_000);
  }
  timer.unref();
  return {
    line: (text) => activity.line(text),
    stop() {
      clearInterval(timer);
      if (stream.isTTY) stream.write('\r\x1b[K');
    },
  };
}
