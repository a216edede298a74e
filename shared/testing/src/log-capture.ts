import { Writable } from 'node:stream';

/** A log destination that keeps everything the servers write, for tests that read the logs. */
export class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}
