// Errors the jobmanager answers REST calls with: who is at fault and the HTTP status that says so
// (a bad request, an unknown id, a job in the wrong state). Anything else reaching the REST layer is ours: 500.
export class ClusterError extends Error {
  constructor(readonly status: 400 | 401 | 404 | 409 | 413 | 415, message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

export const badRequest = (m: string) => new ClusterError(400, m);
export const notFound = (m: string) => new ClusterError(404, m);
export const conflict = (m: string) => new ClusterError(409, m);
