// Glue between htmx and the console's server: nothing here renders pages.
document.addEventListener('DOMContentLoaded', () => {
  // A session that ended while the page was open: htmx gets 499 (quarkus-oidc's answer to
  // script requests instead of a redirect to Keycloak); say so and offer to sign in again.
  document.body.addEventListener('htmx:responseError', (event) => {
    if (event.detail.xhr.status === 499 || event.detail.xhr.status === 401) {
      document.getElementById('session-expired').hidden = false;
    }
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
