using System.Net;

namespace Channels.Transport;

/// <summary>
/// The cross-site check for browser connections (WebSocket hijacking and polling alike). A request that
/// carries an <c>Origin</c> must come from <see cref="ChannelsOptions.AllowedOrigins"/> or from the
/// server's own origin. "Own origin" compares the <c>Origin</c> with the request's <c>Host</c>, which a
/// DNS-rebinding page controls, so it is trusted only when the host cannot have been rebound: an IP
/// literal or <c>localhost</c>, a host the app's <c>AllowedHosts</c> lists, or any host in Development.
/// </summary>
internal sealed class OriginPolicy(IEnumerable<string> allowedOrigins, IEnumerable<string> allowedHosts, bool development)
{
    private readonly string[] _origins = [.. allowedOrigins.Select(static o => o.TrimEnd('/'))];
    private readonly string[] _hosts = [.. allowedHosts.Where(static h => h.Length > 0)];

    /// <summary>Any origin may connect (<c>*</c> in the allow-list).</summary>
    public bool AllowsAnyOrigin => Array.IndexOf(_origins, "*") >= 0;

    /// <summary>Whether <c>AllowedHosts</c> names the hosts (not <c>*</c>), so the <c>Host</c> header can be trusted.</summary>
    public bool HostsRestricted => _hosts.Length > 0 && Array.IndexOf(_hosts, "*") < 0;

    /// <summary>Whether same-origin requests are judged by any <c>Host</c> (Development).</summary>
    public bool TrustsAnyHost => development;

    /// <summary>What the allow-list says about the request's <c>Origin</c>.</summary>
    public OriginVerdict Judge(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return OriginVerdict.NoOrigin;
        }

        foreach (var entry in _origins)
        {
            if (string.Equals(entry, origin, StringComparison.OrdinalIgnoreCase))
            {
                return OriginVerdict.Listed;
            }
        }

        if (AllowsAnyOrigin)
        {
            return OriginVerdict.AnyOrigin;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && IsTrustedHost(request.Host.Host)
            ? OriginVerdict.SameOrigin
            : OriginVerdict.Refused;
    }

    private bool IsTrustedHost(string host) =>
        development
        || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || IPAddress.TryParse(host.Trim('[', ']'), out _)
        || _hosts.Any(allowed => Matches(allowed, host));

    /// <summary>An <c>AllowedHosts</c> entry: a host name, or <c>*.example.com</c> for its subdomains.</summary>
    private static bool Matches(string allowed, string host) =>
        allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(allowed, host, StringComparison.OrdinalIgnoreCase);
}

/// <summary>What <see cref="OriginPolicy"/> says about a request's <c>Origin</c>.</summary>
internal enum OriginVerdict
{
    /// <summary>No <c>Origin</c> header: not a browser's cross-origin request; allowed.</summary>
    NoOrigin,

    /// <summary>The origin is in <see cref="ChannelsOptions.AllowedOrigins"/>.</summary>
    Listed,

    /// <summary>Allowed only by <c>*</c> in <see cref="ChannelsOptions.AllowedOrigins"/>.</summary>
    AnyOrigin,

    /// <summary>The server's own origin, on a host that cannot have been rebound.</summary>
    SameOrigin,

    /// <summary>Not allowed: the request is answered 403.</summary>
    Refused,
}
