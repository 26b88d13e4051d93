using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace Channels.Transport;

/// <summary>
/// The CORS answer to browsers on the origins <see cref="OriginPolicy"/> allows, so that listing a page's
/// origin in <see cref="ChannelsOptions.AllowedOrigins"/> is all it takes for polling to work across
/// origins too (socket.io's <c>cors: { origin, credentials: true }</c>). The request's origin is echoed,
/// never <c>*</c>, with <c>Vary: Origin</c>; credentials are allowed unless the origin got in only by
/// <c>*</c>. Where the app took CORS in hand (the endpoint carries CORS metadata, as <c>RequireCors</c>
/// puts there, or a CORS middleware already set <c>Access-Control-Allow-Origin</c>), nothing is added.
/// </summary>
internal static class CrossOrigin
{
    /// <summary>How long a browser may keep a preflight's answer, in seconds: two hours, Chromium's cap.</summary>
    public const string PreflightMaxAge = "7200";

    /// <summary>The methods a preflight allows: the two polling uses.</summary>
    public const string AllowedMethods = "GET, POST";

    /// <summary>
    /// Whether this request gets our CORS headers: it carries an <c>Origin</c>, it is not a WebSocket
    /// (browsers apply no CORS there; the origin check alone guards it), and the app has not taken CORS over.
    /// </summary>
    public static bool Applies(HttpContext http, OriginVerdict verdict) =>
        verdict != OriginVerdict.NoOrigin && !http.WebSockets.IsWebSocketRequest && !IsLeftToApp(http);

    /// <summary>The endpoint has a CORS policy (or <c>[DisableCors]</c>), or a middleware already answered.</summary>
    public static bool IsLeftToApp(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<ICorsMetadata>() is not null
        || http.Response.Headers.ContainsKey(HeaderNames.AccessControlAllowOrigin);

    /// <summary>An <c>OPTIONS</c> request a browser sends before a cross-origin request it may not send unasked.</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    /// <summary>
    /// Adds <c>Vary: Origin</c> and, for an allowed origin, <c>Access-Control-Allow-Origin</c> (and
    /// <c>Access-Control-Allow-Credentials</c> unless only <c>*</c> allowed it).
    /// </summary>
    public static void AddHeaders(HttpContext http, OriginVerdict verdict)
    {
        var headers = http.Response.Headers;
        headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        var origin = http.Request.Headers.Origin.ToString();
        if (verdict is OriginVerdict.Refused or OriginVerdict.NoOrigin || !IsHeaderText(origin))
        {
            return;
        }

        headers.AccessControlAllowOrigin = origin;
        if (verdict != OriginVerdict.AnyOrigin)
        {
            headers.AccessControlAllowCredentials = "true";
        }
    }

    /// <summary>
    /// Answers the preflight of an allowed origin (after <see cref="AddHeaders"/>): 204, GET and POST, the
    /// headers the browser asked for (socket.io-client's <c>extraHeaders</c> are the app's own), cached
    /// for <see cref="PreflightMaxAge"/> seconds.
    /// </summary>
    public static void AnswerPreflight(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.Append(HeaderNames.Vary, HeaderNames.AccessControlRequestHeaders);
        headers.AccessControlAllowMethods = AllowedMethods;
        var requested = http.Request.Headers.AccessControlRequestHeaders.ToString();
        headers.AccessControlAllowHeaders = requested.Length > 0 && IsHeaderText(requested) ? requested : HeaderNames.ContentType;
        headers.AccessControlMaxAge = PreflightMaxAge;
        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Printable ASCII only: a value a client sent is echoed only when it is a valid header value.</summary>
    private static bool IsHeaderText(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return value.Length > 0;
    }
}
