package dev.hubspotsync.testkit;

/**
 * How a caller authenticated to the simulated portal, as {@link FakeHubSpot#calls(AuthKind)} and
 * {@link FakeHubSpot#tokensIssued(AuthKind)} count them.
 */
public enum AuthKind {
  /** A legacy private app's static token ({@link PortalSpec#privateAppToken()} or one added later). */
  PRIVATE_APP,
  /** A service key ({@link PortalSpec.Builder#serviceKey}, {@link FakeHubSpot#addServiceKey}). */
  SERVICE_KEY,
  /** An access token the OAuth app obtained with {@code grant_type=refresh_token}. */
  OAUTH_REFRESH_TOKEN,
  /** An access token the app obtained with {@code grant_type=client_credentials}. */
  CLIENT_CREDENTIALS
}
