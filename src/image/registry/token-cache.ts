/** Bearer tokens cached per (registry host, scope) until shortly before they expire. */
export class TokenCache {
  private readonly entries = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(host: string, scope: string): string | undefined {
    const key = `${host}\0${scope}`;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.token;
  }

  /** `expiresIn` in seconds as sent by the token server (default 60 per the Docker token spec). */
  set(host: string, scope: string, token: string, expiresIn = 60, issuedAt?: string): void {
    const issued = issuedAt ? Date.parse(issuedAt) : NaN;
    const start = Number.isFinite(issued) ? Math.min(issued, this.now()) : this.now();
    // Renew 10 s early so a token never expires between the check and the request.
    const expiresAt = start + Math.max(0, expiresIn - 10) * 1000;
    this.entries.set(`${host}\0${scope}`, { token, expiresAt });
  }

  invalidate(host: string, scope: string): void {
    this.entries.delete(`${host}\0${scope}`);
  }
}
