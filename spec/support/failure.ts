// The error a promise rejects with; a spec fails when it resolves instead.
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

export const failureMessage = async (p: Promise<unknown>): Promise<string> => (await failure(p)).message;
