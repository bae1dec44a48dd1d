/**
 * The device a request came from, as a name from a fixed list ("Firefox on Windows"). The user agent is free
 * text chosen by the client, so Rekey's own security mail never shows it: a URL or a message written into it
 * would read as if Rekey had sent it. Only the names below can come out.
 */

// Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|Chromium|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];
/** Real user agents are a few hundred characters; the patterns never look further. */
const MAX_SCANNED = 512;

export function deviceName(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const scanned = userAgent.slice(0, MAX_SCANNED);
  const browser = BROWSERS.find(([pattern]) => pattern.test(scanned))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(scanned))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Unknown device';
}
