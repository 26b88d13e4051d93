using System.Net;
using System.Text;
using System.Text.Json;

namespace Channels.Tests.Conformance;

/// <summary>
/// The body of an Engine.IO error answer: engine.io's <c>{"code":N,"message":"…"}</c>, with its numbers
/// (0 transport unknown, 1 session ID unknown, 2 bad handshake method, 3 bad request, 4 forbidden,
/// 5 unsupported protocol version), over raw HTTP. Clients (engine.io-client, proxies' logs) read the
/// code, so each request that the server refuses with a body is checked for status, code and message.
/// (A refused WebSocket request on an existing sid is accepted and closed instead: no body to check.)
/// </summary>
public sealed class EngineErrorBodyTests
{
    private const string Path = "/socket.io";
    private const string Page = "https://page.example";
    private const int SmallPayload = 64;

    /// <summary>Request, then the expected status, code and message.</summary>
    public static TheoryData<string, int, int, string> BadRequests => new()
    {
        { "no EIO", 400, 5, "Unsupported protocol version" },
        { "EIO=3", 400, 5, "Unsupported protocol version" },
        { "unknown transport", 400, 0, "Transport unknown" },
        { "websocket transport without an upgrade", 400, 0, "Transport unknown" },
        { "unknown sid", 400, 1, "Session ID unknown" },
        { "PUT handshake", 400, 2, "Bad handshake method" },
        { "POST handshake", 400, 2, "Bad handshake method" },
        { "PUT on a polling session", 400, 3, "Bad request method" },
        { "polling GET on a websocket session", 400, 3, "Session is not polling" },
        { "second GET while one is held", 400, 3, "Concurrent GET requests on one session" },
        { "POST over maxPayload", 413, 3, "Payload too large" },
        { "POST that is not a polling payload", 400, 3, "Invalid payload" },
        { "handshake over the unconnected sessions per address", 429, 3, "Too many sessions waiting to connect" },
        { "handshake from a refused origin", 403, 4, "Origin not allowed" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Each_bad_request_is_answered_with_its_engine_io_error_code_and_message(string request, int status, int code, string message)
    {
        var probe = new RequestProbe();
        await using var server = await RawClient.StartConformanceServerAsync(probe, options =>
        {
            // socket.io's default timings: no ping or connect timeout ends a session during the test.
            RawClient.DefaultTimings(options);
            options.MaxPayloadBytes = SmallPayload;
            options.MaxUnconnectedSessionsPerAddress = 1;
            options.AllowedOrigins.Add(Page);
        });
        using var client = new RawClient(server.Address, probe);

        using var response = await SendAsync(client, request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(["code", "message"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(code, json.RootElement.GetProperty("code").GetInt32());
        Assert.Equal(message, json.RootElement.GetProperty("message").GetString());
    }

    /// <summary>Makes the server refuse <paramref name="request"/> and returns the refusal.</summary>
    private static async Task<HttpResponseMessage> SendAsync(RawClient client, string request)
    {
        var http = client.Http;
        switch (request)
        {
            case "no EIO":
                return await http.GetAsync($"{Path}/?transport=polling");
            case "EIO=3":
                return await http.GetAsync($"{Path}/?EIO=3&transport=polling");
            case "unknown transport":
                return await http.GetAsync($"{Path}/?EIO=4&transport=tcp");
            case "websocket transport without an upgrade":
                return await http.GetAsync($"{Path}/?EIO=4&transport=websocket");
            case "unknown sid":
                return await http.GetAsync(RawClient.PollingUrl(Path, "no-such-session"));
            case "PUT handshake":
                return await http.PutAsync(RawClient.PollingUrl(Path), Text("40"));
            case "POST handshake":
                return await http.PostAsync(RawClient.PollingUrl(Path), Text("40"));
            case "PUT on a polling session":
            {
                var sid = await client.OpenPollingSessionAsync(Path);
                return await http.PutAsync(RawClient.PollingUrl(Path, sid), Text("40"));
            }

            case "polling GET on a websocket session":
            {
                var (socket, open) = await client.OpenWebSocketAsync(Path);
                await using var _ = socket;
                return await http.GetAsync(RawClient.PollingUrl(Path, open.GetProperty("sid").GetString()));
            }

            case "second GET while one is held":
            {
                var sid = await client.OpenPollingSessionAsync(Path);
                var held = await client.StartPollAsync(Path, sid);
                var second = await http.GetAsync(RawClient.PollingUrl(Path, sid));

                // The refusal ends the session, which lets the held GET go.
                await held.Response.WaitAsync(RawClient.Timeout);
                return second;
            }

            case "POST over maxPayload":
            {
                var sid = await client.OpenPollingSessionAsync(Path);
                return await http.PostAsync(RawClient.PollingUrl(Path, sid), Text("4" + new string('a', SmallPayload)));
            }

            case "POST that is not a polling payload":
            {
                var sid = await client.OpenPollingSessionAsync(Path);
                return await http.PostAsync(RawClient.PollingUrl(Path, sid), Text("b!!!"));
            }

            case "handshake over the unconnected sessions per address":
                await client.OpenPollingSessionAsync(Path);
                return await http.GetAsync(RawClient.PollingUrl(Path));
            case "handshake from a refused origin":
            {
                using var handshake = new HttpRequestMessage(HttpMethod.Get, RawClient.PollingUrl(Path));
                handshake.Headers.Add("Origin", "https://evil.example");
                return await http.SendAsync(handshake);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(request), request, "no such case");
        }
    }

    private static StringContent Text(string body) => new(body, Encoding.UTF8, "text/plain");
}
