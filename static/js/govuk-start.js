// Starts GOV.UK Frontend's components (loaded as a module, so only where they are supported).
// A static file rather than an inline script, so the Content Security Policy is the same for every
// visitor (no nonce) and a cached page is the same bytes for everyone. The module's hashed address
// comes from the page (data-govuk-frontend), as this file cannot know it.
const script = document.querySelector("script[data-govuk-frontend]");
import(script.dataset.govukFrontend).then(({ initAll }) => initAll());
