/**
 * Takes a PNG screenshot of a local HTML file with headless Chromium, to look
 * at an exported report the way a reader's browser shows it.
 *
 * Chromium (Debian package `chromium`; `apt-get install -y
 * --no-install-recommends chromium`) runs with a fresh profile directory and
 * HOME/XDG dirs in a temporary folder that is removed afterwards, with
 * networking extras, GPU and sandbox off (flags measured in
 * `shared/notes/platform.md`). Headless `--screenshot` captures the window,
 * not the whole page: pick a tall `--height`.
 *
 * Usage:
 *   deno run -A tools/screenshot.ts page.html out.png [--width 1200] [--height 3000]
 *
 * @module
 */

/** Options of {@link screenshot}. */
export interface ScreenshotOptions {
  /** Window width, px. @default 1200 */
  width?: number;
  /** Window height, px (the captured area). @default 3000 */
  height?: number;
  /** The browser binary. @default $CHROMIUM or the first of chromium, chromium-browser, google-chrome on PATH */
  browser?: string;
  /** Kill the browser after this many seconds. @default 60 */
  timeoutSeconds?: number;
}

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome"];

/** The Chromium binary to use, or throws saying how to install one. */
export function findBrowser(): string {
  const fromEnv = Deno.env.get("CHROMIUM");
  if (fromEnv) return fromEnv;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    for (const name of CANDIDATES) {
      try {
        const path = `${dir}/${name}`;
        if (Deno.statSync(path).isFile) return path;
      } catch {
        // not in this directory
      }
    }
  }
  throw new Error(
    `screenshot: no browser found (looked for ${
      CANDIDATES.join(", ")
    } on PATH, and $CHROMIUM); install one with ` +
      "`apt-get install -y --no-install-recommends chromium`",
  );
}

/**
 * Renders `htmlPath` in headless Chromium and writes a PNG of the window to
 * `pngPath`. Resolves when the file exists; throws with Chromium's stderr
 * when it fails or times out.
 */
export async function screenshot(
  htmlPath: string,
  pngPath: string,
  options: ScreenshotOptions = {},
): Promise<void> {
  const width = options.width ?? 1200;
  const height = options.height ?? 3000;
  const browser = options.browser ?? findBrowser();
  const html = await Deno.realPath(htmlPath);
  const out = pngPath.startsWith("/") ? pngPath : `${Deno.cwd()}/${pngPath}`;
  const tmp = await Deno.makeTempDir({ prefix: "screenshot-" });
  try {
    await Deno.remove(out).catch(() => {});
    const cmd = new Deno.Command(browser, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        `--user-data-dir=${tmp}/profile`,
        `--window-size=${width},${height}`,
        `--screenshot=${out}`,
        `file://${html}`,
      ],
      env: {
        HOME: tmp,
        XDG_CONFIG_HOME: `${tmp}/config`,
        XDG_CACHE_HOME: `${tmp}/cache`,
        XDG_DATA_HOME: `${tmp}/data`,
      },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout((options.timeoutSeconds ?? 60) * 1000),
    });
    const result = await cmd.output();
    const ok = result.success &&
      await Deno.stat(out).then((s) => s.size > 0, () => false);
    if (!ok) {
      throw new Error(
        `screenshot: ${browser} failed on ${html} (exit ${result.code}):\n${
          new TextDecoder().decode(result.stderr).slice(-2000)
        }`,
      );
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

function usage(): never {
  throw new Error(
    "usage: deno run -A tools/screenshot.ts page.html out.png [--width N] [--height N]",
  );
}

if (import.meta.main) {
  const args = [...Deno.args];
  const opts: ScreenshotOptions = {};
  const files: string[] = [];
  while (args.length > 0) {
    const a = args.shift()!;
    if (a === "--width" || a === "--height") {
      const v = Number(args.shift());
      if (!Number.isInteger(v) || v <= 0) usage();
      if (a === "--width") opts.width = v;
      else opts.height = v;
    } else files.push(a);
  }
  if (files.length !== 2) usage();
  await screenshot(files[0], files[1], opts);
}
