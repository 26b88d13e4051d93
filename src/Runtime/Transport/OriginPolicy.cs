namespace Channels.Transport;

/// <summary>
/// The cross-site check for browser connections (WebSocket hijacking and polling alike): a request
/// that carries an <c>Origin</c> must come from the server's own origin or from the allow-list.
/// </summary>
internal static class OriginPolicy
{
    public static bool IsAllowed(HttpRequest request, IList<string> allowed)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        foreach (var entry in allowed)
        {
            if (entry == "*" || string.Equals(entry.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
