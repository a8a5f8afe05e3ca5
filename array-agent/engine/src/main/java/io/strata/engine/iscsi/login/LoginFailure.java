package io.strata.engine.iscsi.login;

/** Login cannot go on: the connection answers with {@code status} and closes. */
public final class LoginFailure extends Exception {
  public final LoginStatus status;

  public LoginFailure(LoginStatus status, String why) {
    super(why);
    this.status = status;
  }
}
