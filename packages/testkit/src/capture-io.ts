/** Output of a CLI command captured in memory: pass it as the `io` of `main(argv, io)`. */
export interface CapturedIo {
  stdout: string;
  stderr: string;
  out(text: string): void;
  err(text: string): void;
}

export function captureIo(): CapturedIo {
  const io: CapturedIo = {
    stdout: '',
    stderr: '',
    out(t) {
      io.stdout += t;
    },
    err(t) {
      io.stderr += t;
    },
  };
  return io;
}
