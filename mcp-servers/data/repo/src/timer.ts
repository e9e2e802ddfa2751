/** The break timer shown on the projector: counts down and then says so. */
export function breakTimer(minutes: number, tick: (left: string) => void): Promise<void> {
  let seconds = Math.round(minutes * 60);
  return new Promise((resolve) => {
    const id = setInterval(() => {
      seconds -= 1;
      tick(`${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`);
      if (seconds <= 0) {
        clearInterval(id);
        tick("Break is over!");
        resolve();
      }
    }, 1000);
  });
}
