// How many channels may be open at once on one SSH connection. The limit is learnt from the server
// (sshd's MaxSessions refuses the channel open): further opens then wait for a channel to close.
export class ChannelGate {
  private open = 0;
  private limit = Infinity;
  private readonly waiters: Array<() => void> = [];

  /** Wait for a free slot and take it. */
  async acquire(): Promise<void> {
    while (this.open >= this.limit) await new Promise<void>((wake) => this.waiters.push(wake));
    this.open += 1;
  }

  release(): void {
    this.open -= 1;
    this.waiters.shift()?.();
  }

  /**
   * The server refused the channel that holds a slot just taken: release it and lower the limit to the
   * channels still open. Returns false when nothing else is open (the refusal is not about a limit).
   */
  refused(): boolean {
    const others = this.open - 1;
    this.release();
    if (others <= 0) return false;
    this.limit = Math.min(this.limit, others);
    return true;
  }

  /** The learnt limit (Infinity until the server refused a channel). */
  get maxChannels(): number {
    return this.limit;
  }
}
