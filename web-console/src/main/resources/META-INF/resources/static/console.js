// Glue between htmx and the console's server: nothing here renders pages. The pages have no
// inline scripts or handlers (the Content-Security-Policy allows the console's own files only):
// behaviour is asked for with data- attributes handled here.
document.addEventListener('DOMContentLoaded', () => {
  // A session that ended while the page was open: htmx gets 499 (quarkus-oidc's answer to
  // script requests instead of a redirect to Keycloak); say so and offer to sign in again.
  document.body.addEventListener('htmx:responseError', (event) => {
    if (event.detail.xhr.status === 499 || event.detail.xhr.status === 401) {
      document.getElementById('session-expired').hidden = false;
    }
  });
  // Filters that apply as soon as a choice changes.
  document.body.addEventListener('change', (event) => {
    if (event.target.matches('[data-autosubmit]')) event.target.form.requestSubmit();
  });
  // "Sign in again" reloads the page (and so goes through Keycloak); "Go back" goes back.
  document.body.addEventListener('click', (event) => {
    const link = event.target.closest('[data-reload], [data-back]');
    if (!link) return;
    event.preventDefault();
    if (link.matches('[data-reload]')) location.reload(); else history.back();
  });
  // Copy buttons next to commands and secrets.
  document.body.addEventListener('click', (event) => {
    const button = event.target.closest('[data-copy]');
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(source.innerText).then(() => {
      button.textContent = 'Copied';
      setTimeout(() => { button.textContent = 'Copy'; }, 1500);
    });
  });
});
