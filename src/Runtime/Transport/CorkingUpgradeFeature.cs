using Microsoft.AspNetCore.Http.Features;

namespace Channels.Transport;

/// <summary>
/// Put in front of the WebSocket middleware so that the socket it creates writes through a
/// <see cref="CorkedStream"/>; the transport finds the stream here after the handshake.
/// </summary>
internal sealed class CorkingUpgradeFeature(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    /// <summary>The upgraded stream, once <see cref="UpgradeAsync"/> has run.</summary>
    public CorkedStream? Stream { get; private set; }

    public async Task<Stream> UpgradeAsync() => Stream = new CorkedStream(await inner.UpgradeAsync());

    /// <summary>Wraps the request's upgrade feature when the request can be upgraded.</summary>
    public static void Install(HttpContext http)
    {
        if (http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } inner)
        {
            http.Features.Set<IHttpUpgradeFeature>(new CorkingUpgradeFeature(inner));
        }
    }

    /// <summary>The corked stream of an accepted WebSocket request, if it went through this feature.</summary>
    public static CorkedStream? StreamOf(HttpContext http) => (http.Features.Get<IHttpUpgradeFeature>() as CorkingUpgradeFeature)?.Stream;
}
