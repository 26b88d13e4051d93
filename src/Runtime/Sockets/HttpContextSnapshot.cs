using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Primitives;

namespace Channels.Sockets;

/// <summary>
/// A copy of the request that opened a connection. Handlers may read it for the connection's whole
/// life, long after ASP.NET Core has recycled the original <see cref="HttpContext"/> (a polling session
/// outlives every one of its requests). The request's data is copied at once, compactly (the header
/// strings are the request's own); the <see cref="HttpContext"/> with its features and dictionaries is only
/// built the first time something reads it, so a connection whose handlers never do holds none of it.
/// </summary>
internal sealed class HttpContextSnapshot
{
    private readonly string _method;
    private readonly string _scheme;
    private readonly string _protocol;
    private readonly string _pathBase;
    private readonly string _path;
    private readonly string _queryString;
    private readonly KeyValuePair<string, StringValues>[] _headers;
    private readonly string _connectionId;
    private readonly IPAddress? _localIpAddress;
    private readonly IPAddress? _remoteIpAddress;
    private readonly int _localPort;
    private readonly int _remotePort;
    private readonly ClaimsPrincipal? _user;
    private readonly string _traceIdentifier;
    private readonly IServiceProvider _services;
    private HttpContext? _context;

    public HttpContextSnapshot(HttpContext original, IServiceProvider services)
    {
        var source = original.Request;
        _method = source.Method;
        _scheme = source.Scheme;
        _protocol = source.Protocol;
        _pathBase = source.PathBase.Value ?? string.Empty;
        _path = source.Path.Value ?? string.Empty;
        _queryString = source.QueryString.Value ?? string.Empty;
        _headers = new KeyValuePair<string, StringValues>[source.Headers.Count];
        var i = 0;
        foreach (var header in source.Headers)
        {
            if (i == _headers.Length)
            {
                Array.Resize(ref _headers, i + 1);
            }

            _headers[i++] = header;
        }

        if (i < _headers.Length)
        {
            Array.Resize(ref _headers, i);
        }

        var connection = original.Connection;
        _connectionId = connection.Id;
        _localIpAddress = connection.LocalIpAddress;
        _localPort = connection.LocalPort;
        _remoteIpAddress = connection.RemoteIpAddress;
        _remotePort = connection.RemotePort;

        // Not original.User, which would make (and keep) an empty principal for an anonymous request: the
        // copy makes its own the same way when it is read.
        _user = original.Features.Get<IHttpAuthenticationFeature>()?.User;
        _traceIdentifier = original.TraceIdentifier;
        _services = services;
    }

    /// <summary>The copy as an <see cref="Microsoft.AspNetCore.Http.HttpContext"/>, built on first use and kept.</summary>
    public HttpContext HttpContext => Volatile.Read(ref _context) ?? Build();

    /// <summary>The client's address, read without building the context.</summary>
    public IPAddress? RemoteIpAddress => _remoteIpAddress;

    private HttpContext Build()
    {
        var headers = new HeaderDictionary(_headers.Length);
        foreach (var (key, value) in _headers)
        {
            headers[key] = value;
        }

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = _method,
            Scheme = _scheme,
            Protocol = _protocol,
            PathBase = _pathBase,
            Path = _path,
            QueryString = _queryString,
            Headers = headers,
            Body = Stream.Null,
        });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = _connectionId,
            LocalIpAddress = _localIpAddress,
            LocalPort = _localPort,
            RemoteIpAddress = _remoteIpAddress,
            RemotePort = _remotePort,
        });

        var context = new DefaultHttpContext(features)
        {
            RequestServices = _services,
            TraceIdentifier = _traceIdentifier,
        };
        if (_user is not null)
        {
            context.User = _user;
        }

        return Interlocked.CompareExchange(ref _context, context, null) ?? context;
    }
}
