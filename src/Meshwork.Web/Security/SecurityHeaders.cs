using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Meshwork.Web.Security;

/// <summary>
/// The headers every response of the server carries, so a page can neither run script it did not ship nor be framed:
/// a Content-Security-Policy that allows only this origin's script and style files (the UI has no inline script,
/// style or event handler), no plugins, no other base or form target and no framing; no MIME sniffing; no referrer
/// sent to the sites that support links lead to; and X-Frame-Options for browsers older than frame-ancestors.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The policy of every page and response, unless a page starts itself with a nonce (see <see cref="NoncePolicy"/>).</summary>
    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The policy of a page that starts itself with an inline script carrying a per-request nonce and styles itself
    /// from script (the API reference): that script may run, and inline style is allowed; everything else as <see cref="Policy"/>.
    /// </summary>
    public static string NoncePolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Adds the headers to every response, set when it starts (so error pages written later carry them too). A page that
    /// stores a script nonce in <see cref="HttpContext.Items"/> under <paramref name="nonceItemKey"/> gets <see cref="NoncePolicy"/>.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, string? nonceItemKey = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = nonceItemKey is not null && context.Items[nonceItemKey] is string nonce && IsNonce(nonce)
                    ? NoncePolicy(nonce)
                    : Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    // A nonce goes into a header: only base64 (standard or URL-safe) text, never a quote or a separator.
    private static bool IsNonce(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_');
}
