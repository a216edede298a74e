import fs from 'node:fs';
import path from 'node:path';
import { AppError, ERRORS, errorCatalogue, httpStatusOf } from '../index';

describe('the error registry', () => {
  it('the published catalogue schema/error-codes.json lists every registered code as the registry defines it', () => {
    // Arrange
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'schema', 'error-codes.json'), 'utf8');

    // Act
    const generated = errorCatalogue();

    // Assert
    expect(committed).toBe(generated);
    expect(Object.keys(JSON.parse(committed).codes)).toEqual(Object.keys(ERRORS));
  });

  it('a remote error is rethrown as itself when its code is registered, as INTERNAL_SERVER_ERROR otherwise', () => {
    // Act
    const registered = AppError.fromRemote({ message: 'Not enough credit', extensions: { code: 'INSUFFICIENT_CREDIT', limit: 'BALANCE' } });
    const unknown = AppError.fromRemote({ message: 'socket hang up', extensions: { code: 'ECONNRESET' } });

    // Assert
    expect(registered.code).toBe('INSUFFICIENT_CREDIT');
    expect(registered.extensions).toEqual({ code: 'INSUFFICIENT_CREDIT', limit: 'BALANCE' });
    expect(unknown.code).toBe('INTERNAL_SERVER_ERROR');
    expect(unknown.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('HTTP routes take their status from the registry, 400 by default', () => {
    // Act / Assert
    expect([httpStatusOf('UNAUTHENTICATED'), httpStatusOf('RATE_LIMITED'), httpStatusOf('SERVICE_UNAVAILABLE'), httpStatusOf('BAD_USER_INPUT'), httpStatusOf('NO_SUCH_CODE')]).toEqual([401, 429, 503, 400, 400]);
  });
});
