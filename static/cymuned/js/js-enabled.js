// Marks the page as JavaScript-enabled before GOV.UK Frontend initialises
// (kept out of the HTML so the Content Security Policy can forbid inline script).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
