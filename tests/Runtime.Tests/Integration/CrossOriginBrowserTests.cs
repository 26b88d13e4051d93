using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Channels.Tests.Integration;

/// <summary>
/// socket.io-client in Chromium, on a page served from another origin (another port of 127.0.0.1), with
/// default transports: polling across origins, then the upgrade (node/browser-cors.mjs).
/// </summary>
public sealed class CrossOriginBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_page_on_a_listed_origin_connects_with_default_transports_and_upgrades_with_or_without_RequireCors()
    {
        await using var page = await TestServer.StartAsync(map: MapPage);
        var pageOrigin = page.Address.GetLeftPart(UriPartial.Authority);
        var listedRequests = new ConcurrentQueue<SeenRequest>();
        var corsRequests = new ConcurrentQueue<SeenRequest>();
        var logs = new LogCapture();
        await using var listed = await TestServer.StartAsync(
            TestApp.Handlers(),
            configure: o => o.AllowedOrigins.Add(pageOrigin),
            map: app =>
            {
                app.Use(Record(listedRequests));
                app.MapChannels();
            });
        await using var requireCors = await TestServer.StartAsync(
            TestApp.Handlers(),
            configure: o => o.AllowedOrigins.Add(pageOrigin),
            services: s => s.AddCors(c => c.AddPolicy("page", p => p.WithOrigins(pageOrigin).AllowAnyHeader().AllowCredentials())),
            map: app =>
            {
                app.Use(Record(corsRequests));
                app.UseCors();
                app.MapChannels().RequireCors("page");
            });
        await using var refusing = await TestServer.StartAsync(TestApp.Handlers(), services: s => s.AddSingleton<ILoggerProvider>(logs));

        var (exitCode, log) = await NodeScript.RunAsync(
            $"browser-cors.mjs {page.Address} {Base(listed)} {Base(requireCors)} {Base(refusing)}",
            TimeSpan.FromMinutes(2));
        output.WriteLine(log);

        Assert.True(exitCode == 0, log);
        foreach (var (name, seen) in new[] { ("listed", listedRequests), ("require-cors", corsRequests) })
        {
            // The polling requests really crossed origins, the credentialed ones with the page's cookie after a preflight.
            Assert.Contains(seen, r => r.Case == $"{name}-plain" && r.Method == "POST" && r.Origin == pageOrigin && !r.Cookie);
            Assert.Contains(seen, r => r.Case == $"{name}-credentials" && r.Method == "OPTIONS");
            Assert.Contains(seen, r => r.Case == $"{name}-credentials" && r.Method == "POST" && r.Cookie);
            Assert.Contains(seen, r => r.Case == $"{name}-credentials" && r.WebSocket);
        }

        Assert.Contains(logs.Lines, l => l.Message.Contains(pageOrigin, StringComparison.Ordinal) && l.Message.Contains("ChannelsOptions.AllowedOrigins", StringComparison.Ordinal));
    }

    private static string Base(TestServer server) => server.Address.ToString().TrimEnd('/');

    /// <summary>The page: socket.io-client's browser bundle and a cookie for the servers' host (cookies ignore ports).</summary>
    private static void MapPage(WebApplication app)
    {
        var bundle = Repo.Path("tests", "Runtime.Tests", "node", "node_modules", "socket.io-client", "dist", "socket.io.min.js");
        app.MapGet("/", (HttpContext http) =>
        {
            http.Response.Headers.SetCookie = "probe=1; Path=/; SameSite=Lax";
            return Results.Content("<!doctype html><meta charset=\"utf-8\"><title>cross-origin</title><script src=\"/socket.io.min.js\"></script>", "text/html; charset=utf-8");
        });
        app.MapGet("/socket.io.min.js", () => Results.File(bundle, "text/javascript; charset=utf-8"));
    }

    private static Func<HttpContext, RequestDelegate, Task> Record(ConcurrentQueue<SeenRequest> seen) => (http, next) =>
    {
        seen.Enqueue(new SeenRequest(
            http.Request.Method,
            http.Request.Query["case"].ToString(),
            http.Request.Headers.Origin.ToString(),
            http.Request.Cookies.ContainsKey("probe"),
            string.Equals(http.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase)));
        return next(http);
    };

    private sealed record SeenRequest(string Method, string Case, string Origin, bool Cookie, bool WebSocket);
}
