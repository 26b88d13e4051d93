using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Channels.Tests.Integration;

/// <summary>
/// CORS on the polling transport from <see cref="ChannelsOptions.AllowedOrigins"/> alone, and beside an
/// app's own CORS policy, over raw HTTP. The browser side is in <see cref="CrossOriginBrowserTests"/>.
/// </summary>
public sealed class CrossOriginTests
{
    private const string Page = "https://app.example";

    [Fact]
    public async Task Listed_origin_gets_its_origin_and_credentials_on_every_polling_response()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.AllowedOrigins.Add(Page));
        using var http = new HttpClient { BaseAddress = server.Address };

        using var handshake = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", Page);
        var sid = SidOf(await handshake.Content.ReadAsStringAsync());
        using var post = await SendAsync(http, HttpMethod.Post, $"socket.io/?EIO=4&transport=polling&sid={sid}", Page, body: "40");
        using var poll = await SendAsync(http, HttpMethod.Get, $"socket.io/?EIO=4&transport=polling&sid={sid}", Page);
        using var unknownSid = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling&sid=nope", Page);

        Assert.StartsWith("40{\"sid\":", await poll.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownSid.StatusCode);
        Assert.All([handshake, post, poll, unknownSid], response =>
        {
            Assert.Equal(Page, Header(response, "Access-Control-Allow-Origin"));
            Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
            Assert.Contains("Origin", response.Headers.Vary);
        });
    }

    [Fact]
    public async Task Preflight_from_a_listed_origin_is_answered_204_before_the_handshake_and_within_a_session()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.AllowedOrigins.Add(Page + "/"));
        using var http = new HttpClient { BaseAddress = server.Address };

        using var beforeHandshake = await PreflightAsync(http, "socket.io/?EIO=4&transport=polling&t=abc", Page, "GET", "x-token");
        using var handshake = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", Page);
        var sid = SidOf(await handshake.Content.ReadAsStringAsync());
        using var beforePost = await PreflightAsync(http, $"socket.io/?EIO=4&transport=polling&sid={sid}", Page, "POST", "content-type,x-token");

        Assert.All([beforeHandshake, beforePost], response =>
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(Page, Header(response, "Access-Control-Allow-Origin"));
            Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
            Assert.Equal("GET, POST", Header(response, "Access-Control-Allow-Methods"));
            Assert.Equal("7200", Header(response, "Access-Control-Max-Age"));
            Assert.Contains("Origin", response.Headers.Vary);
        });
        Assert.Equal("x-token", Header(beforeHandshake, "Access-Control-Allow-Headers"));
        Assert.Equal("content-type,x-token", Header(beforePost, "Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Refused_origin_gets_403_without_CORS_headers_and_a_log_line_naming_the_option()
    {
        var logs = new LogCapture();
        await using var server = await TestServer.StartAsync(
            TestApp.Handlers(),
            configure: o => o.AllowedOrigins.Add(Page),
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        using var http = new HttpClient { BaseAddress = server.Address };

        using var preflight = await PreflightAsync(http, "socket.io/?EIO=4&transport=polling", "https://evil.example", "GET", "x-token");
        using var handshake = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", "https://evil.example");

        Assert.All([preflight, handshake], response =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
            Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
            Assert.Contains("Origin", response.Headers.Vary);
        });
        var refusals = logs.Lines.Where(l => l.Message.Contains("https://evil.example", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, refusals.Length);
        Assert.All(refusals, l =>
        {
            Assert.Equal(LogLevel.Information, l.Level);
            Assert.Contains("add it to ChannelsOptions.AllowedOrigins", l.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Any_origin_is_echoed_without_credentials()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.AllowedOrigins.Add("*"));
        using var http = new HttpClient { BaseAddress = server.Address };

        using var preflight = await PreflightAsync(http, "socket.io/?EIO=4&transport=polling", "https://anyone.example", "GET", "x-token");
        using var handshake = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", "https://anyone.example");

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(HttpStatusCode.OK, handshake.StatusCode);
        Assert.All([preflight, handshake], response =>
        {
            Assert.Equal("https://anyone.example", Header(response, "Access-Control-Allow-Origin"));
            Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        });
    }

    [Fact]
    public async Task Listed_origin_with_star_too_keeps_its_credentials()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o =>
        {
            o.AllowedOrigins.Add("*");
            o.AllowedOrigins.Add(Page);
        });
        using var http = new HttpClient { BaseAddress = server.Address };

        using var listed = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", Page);
        using var other = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", "https://other.example");

        Assert.Equal("true", Header(listed, "Access-Control-Allow-Credentials"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Requests_without_an_origin_get_no_CORS_headers_and_OPTIONS_that_is_no_preflight_stays_a_bad_handshake()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.AllowedOrigins.Add(Page));
        using var http = new HttpClient { BaseAddress = server.Address };

        using var handshake = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", origin: null);
        using var options = await SendAsync(http, HttpMethod.Options, "socket.io/?EIO=4&transport=polling", Page);

        Assert.Equal(HttpStatusCode.OK, handshake.StatusCode);
        Assert.False(handshake.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Empty(handshake.Headers.Vary);
        Assert.Equal(HttpStatusCode.BadRequest, options.StatusCode);
        Assert.Contains("Bad handshake method", await options.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_browser_client_file_can_be_imported_from_a_listed_origin()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.AllowedOrigins.Add(Page));
        using var http = new HttpClient { BaseAddress = server.Address };

        using var listed = await SendAsync(http, HttpMethod.Get, "socket.io/channels.js", Page);
        using var refused = await SendAsync(http, HttpMethod.Get, "socket.io/channels.js", "https://evil.example");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(Page, Header(listed, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task RequireCors_policy_answers_alone_and_a_polling_session_works_under_it()
    {
        // The policy allows no credentials: had the runtime added its own headers, they would show.
        await using var server = await TestServer.StartAsync(
            TestApp.Handlers(),
            configure: o => o.AllowedOrigins.Add(Page),
            services: s => s.AddCors(c => c.AddPolicy("app", p => p.WithOrigins(Page).WithHeaders("x-token").WithMethods("GET", "POST"))),
            map: app =>
            {
                app.UseCors();
                app.MapChannels().RequireCors("app");
            });
        using var http = new HttpClient { BaseAddress = server.Address };

        using var preflight = await PreflightAsync(http, "socket.io/?EIO=4&transport=polling", Page, "GET", "x-token");
        using var handshake = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", Page);
        var sid = SidOf(await handshake.Content.ReadAsStringAsync());
        using var post = await SendAsync(http, HttpMethod.Post, $"socket.io/?EIO=4&transport=polling&sid={sid}", Page, body: "40");
        using var poll = await SendAsync(http, HttpMethod.Get, $"socket.io/?EIO=4&transport=polling&sid={sid}", Page);
        using var unlisted = await SendAsync(http, HttpMethod.Get, "socket.io/?EIO=4&transport=polling", "https://evil.example");

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.False(preflight.Headers.Contains("Access-Control-Max-Age"));
        Assert.StartsWith("40{\"sid\":", await poll.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.All([preflight, handshake, post, poll], response =>
        {
            Assert.Equal(Page, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
            Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        });
        Assert.Equal(HttpStatusCode.Forbidden, unlisted.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, string? origin, string? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "text/plain");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await http.SendAsync(request, timeout.Token);
    }

    private static async Task<HttpResponseMessage> PreflightAsync(HttpClient http, string url, string origin, string method, string headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await http.SendAsync(request, timeout.Token);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static string SidOf(string openPacket) =>
        JsonDocument.Parse(openPacket[1..]).RootElement.GetProperty("sid").GetString()!;
}
