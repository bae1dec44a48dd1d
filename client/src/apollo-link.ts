import { ApolloLink } from '@apollo/client';
import { Observable, type Subscription } from 'rxjs';
import { isTokenRefused, rekeyHeaders } from './graphql-request.ts';
import type { RekeySession } from './rekey-session.ts';
import { sessionChangeIn } from './token-pair.ts';

/**
 * The Apollo Client 4 link for Rekey; put it before the HttpLink:
 * `link: ApolloLink.from([createRekeyLink(session), new HttpLink({ uri })])`.
 *
 * It sets the bearer token (refreshed first when about to expire); when the answer carries the
 * authentication signal it refreshes once and sends the operation again; it stores the pairs that
 * `signIn`, `signUp`, `refreshSession` and `changePassword` answer, and forgets them on `signOut`.
 */
export function createRekeyLink(session: RekeySession): ApolloLink {
  return new ApolloLink(
    (operation, forward) =>
      new Observable<ApolloLink.Result>((observer) => {
        let inner: Subscription | null = null;
        let closed = false;
        const fail = (error: unknown): void => observer.error(error);
        const send = (token: string | null, isRetry: boolean): void => {
          operation.setContext(({ headers }: { headers?: Record<string, string> }) => {
            const { authorization: _previous, ...rest } = headers ?? {};
            return { headers: { ...rest, ...rekeyHeaders(session.endpoint, token) } };
          });
          let retrying = false;
          let delivered: Promise<void> = Promise.resolve();
          inner = forward(operation).subscribe({
            next: (result) => {
              if (!isRetry && token && isTokenRefused(result)) {
                retrying = true;
                session.refreshAfterRefusal(token).then((fresh) => {
                  if (closed) return;
                  if (fresh && fresh !== token) return send(fresh, true);
                  observer.next(result);
                  observer.complete();
                }, fail);
                return;
              }
              // The answer's pair is stored before anyone sees the answer (and sends the next request).
              delivered = session.apply(sessionChangeIn(result.data)).then(() => observer.next(result));
              delivered.catch(fail);
            },
            error: fail,
            complete: () => {
              if (!retrying) delivered.then(() => observer.complete(), fail);
            },
          });
        };
        session.accessToken().then((token) => {
          if (!closed) send(token, false);
        }, fail);
        return () => {
          closed = true;
          inner?.unsubscribe();
        };
      }),
  );
}
