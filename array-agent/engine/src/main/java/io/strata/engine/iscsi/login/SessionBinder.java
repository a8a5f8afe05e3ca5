package io.strata.engine.iscsi.login;

/** Creates or joins the session a login leads to; implemented by the session layer. */
public interface SessionBinder {

  /** Returns the session's TSIH, or fails the login (for example: no such session to join). */
  int bind(LoginResult result) throws LoginFailure;
}
