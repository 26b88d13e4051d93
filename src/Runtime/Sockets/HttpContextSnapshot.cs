using Microsoft.AspNetCore.Http.Features;

namespace Channels.Sockets;

/// <summary>
/// A copy of the request that opened a connection. Handlers may read it for the connection's whole
/// life, long after ASP.NET Core has recycled the original <see cref="HttpContext"/> (a polling session
/// outlives every one of its requests).
/// </summary>
internal static class HttpContextSnapshot
{
    public static HttpContext Create(HttpContext original, IServiceProvider services)
    {
        var source = original.Request;
        var headers = new HeaderDictionary();
        foreach (var header in source.Headers)
        {
            headers[header.Key] = header.Value;
        }

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = source.Method,
            Scheme = source.Scheme,
            Protocol = source.Protocol,
            PathBase = source.PathBase.Value ?? string.Empty,
            Path = source.Path.Value ?? string.Empty,
            QueryString = source.QueryString.Value ?? string.Empty,
            Headers = headers,
            Body = Stream.Null,
        });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        var connection = original.Connection;
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = connection.Id,
            LocalIpAddress = connection.LocalIpAddress,
            LocalPort = connection.LocalPort,
            RemoteIpAddress = connection.RemoteIpAddress,
            RemotePort = connection.RemotePort,
        });

        return new DefaultHttpContext(features)
        {
            User = original.User,
            RequestServices = services,
            TraceIdentifier = original.TraceIdentifier,
        };
    }
}
