using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Channels.Conformance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Conformance;

/// <summary>
/// A protocol-level client for the conformance tests: raw HTTP long-polling requests and a raw
/// WebSocket, speaking Engine.IO/Socket.IO text exactly as the official suites do.
/// </summary>
public sealed class RawClient : IDisposable
{
    /// <summary>How long any single expected event may take before the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public RawClient(Uri address, RequestProbe? probe = null)
    {
        Address = address;
        Probe = probe;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public RequestProbe? Probe { get; }

    /// <summary>Starts a server configured like the suites' reference server (the conformance host).</summary>
    /// <param name="probe">Sees every request, if given.</param>
    /// <param name="configure">Changes the suites' settings.</param>
    /// <param name="time">The server's clock (a fake one lets a test move time instead of waiting).</param>
    public static Task<TestServer> StartConformanceServerAsync(RequestProbe? probe = null, Action<ChannelsOptions>? configure = null, TimeProvider? time = null) =>
        TestServer.StartAsync(
            new ConformanceHandlers(),
            options =>
            {
                ConformanceServer.Configure(options);
                configure?.Invoke(options);
            },
            app =>
            {
                if (probe is not null)
                {
                    app.Use(probe.InvokeAsync);
                }

                app.MapChannels();
                app.MapEngineEcho("/engine.io");
            },
            services: s =>
            {
                if (time is not null)
                {
                    s.AddSingleton(time);
                }
            });

    /// <summary>Puts back socket.io's default ping interval, ping timeout and connect timeout.</summary>
    public static void DefaultTimings(ChannelsOptions options)
    {
        var defaults = new ChannelsOptions();
        options.PingInterval = defaults.PingInterval;
        options.PingTimeout = defaults.PingTimeout;
        options.ConnectTimeout = defaults.ConnectTimeout;
    }

    // ---- HTTP long-polling ----

    /// <summary><c>/engine.io/?EIO=4&amp;transport=polling</c>, plus <c>&amp;sid=…</c> when given.</summary>
    public static string PollingUrl(string path, string? sid = null, string? extra = null) =>
        $"{path}/?EIO=4&transport=polling" + (sid is null ? "" : $"&sid={sid}") + (extra is null ? "" : "&" + extra);

    /// <summary>Opens a polling session and returns its open packet (without the leading <c>0</c>).</summary>
    public async Task<JsonElement> OpenPollingAsync(string path)
    {
        using var response = await Http.GetAsync(PollingUrl(path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("0", body, StringComparison.Ordinal);
        using var open = JsonDocument.Parse(body[1..]);
        return open.RootElement.Clone();
    }

    /// <summary>Opens a polling session and returns its sid.</summary>
    public async Task<string> OpenPollingSessionAsync(string path) =>
        (await OpenPollingAsync(path)).GetProperty("sid").GetString()!;

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string url, CancellationToken cancellationToken = default)
    {
        using var response = await Http.GetAsync(url, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async Task<(HttpStatusCode Status, string Body)> PollAsync(string path, string sid) =>
        await GetAsync(PollingUrl(path, sid));

    public async Task<(HttpStatusCode Status, string Body)> PostAsync(string url, HttpContent? content)
    {
        using var response = await Http.PostAsync(url, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string sid, string body) =>
        PostAsync(PollingUrl(path, sid), new StringContent(body, Encoding.UTF8, "text/plain"));

    /// <summary>
    /// Starts a GET on <paramref name="sid"/> and returns once the server is holding it (the request has
    /// gone through the endpoint up to its first wait), so that what the test does next happens after it.
    /// </summary>
    public async Task<PendingPoll> StartPollAsync(string path, string sid, CancellationToken cancellationToken = default)
    {
        var probe = Probe ?? throw new InvalidOperationException("StartPollAsync needs a server started with a RequestProbe.");
        var token = probe.NewToken();
        var poll = GetAsync(PollingUrl(path, sid, "probe=" + token), cancellationToken);
        await Task.WhenAny(probe.ArrivedAsync(token), poll).WaitAsync(Timeout);
        return new PendingPoll(poll, probe.CompletedAsync(token));
    }

    // ---- WebSocket ----

    public Uri WebSocketUrl(string path, string? sid = null, string query = "EIO=4&transport=websocket")
    {
        var builder = new UriBuilder(Address) { Scheme = "ws", Path = path + "/", Query = query + (sid is null ? "" : $"&sid={sid}") };
        return builder.Uri;
    }

    /// <summary>Opens a WebSocket session and reads its open packet.</summary>
    public async Task<(WsClient Socket, JsonElement Open)> OpenWebSocketAsync(string path)
    {
        var socket = await WsClient.ConnectAsync(WebSocketUrl(path));
        var frame = await socket.ReceiveTextAsync();
        Assert.StartsWith("0", frame, StringComparison.Ordinal);
        using var open = JsonDocument.Parse(frame[1..]);
        return (socket, open.RootElement.Clone());
    }

    /// <summary>
    /// Opens a WebSocket, sends <c>40</c> and reads the CONNECT reply and the conformance handler's
    /// <c>auth</c> event, as the Socket.IO suite's <c>initSocketIOConnection</c> does.
    /// </summary>
    public async Task<WsClient> ConnectSocketIoAsync()
    {
        var (socket, _) = await OpenWebSocketAsync("/socket.io");
        await socket.SendTextAsync("40");
        Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);
        Assert.Equal("42[\"auth\",{}]", await socket.ReceivePacketAsync());
        return socket;
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>
/// A middleware that tells a test when a request carrying <c>probe=&lt;token&gt;</c> has been taken
/// by the endpoint: it signals after the endpoint ran up to its first asynchronous wait (for a GET on
/// a polling session, that is after the server registered it as the pending poll).
/// </summary>
public sealed class RequestProbe
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrivals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _completions = new(StringComparer.Ordinal);

    public string NewToken() => Guid.NewGuid().ToString("N");

    /// <summary>Completes when the endpoint has taken the request and is waiting (or done).</summary>
    public Task ArrivedAsync(string token) => Get(_arrivals, token).Task;

    /// <summary>Completes when the endpoint has finished with the request, whatever the client did.</summary>
    public Task CompletedAsync(string token) => Get(_completions, token).Task;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var token = context.Request.Query["probe"].ToString();
        try
        {
            var running = next(context);
            if (token.Length > 0)
            {
                Get(_arrivals, token).TrySetResult();
            }

            await running;
        }
        finally
        {
            if (token.Length > 0)
            {
                Get(_arrivals, token).TrySetResult();
                Get(_completions, token).TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Get(ConcurrentDictionary<string, TaskCompletionSource> table, string token) =>
        table.GetOrAdd(token, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>
/// The servers the conformance tests share, both with the conformance host's endpoints and handlers
/// and a <see cref="RequestProbe"/>:
/// <list type="bullet">
/// <item><see cref="Client"/>: exactly the suites' settings (ping interval 300 ms, ping timeout 200 ms,
/// connect timeout 1 s), for everything that checks those values or timings.</item>
/// <item><see cref="QuietClient"/>: the same with socket.io's default timings (first ping after 25 s),
/// for the polling and upgrade checks whose expected frames would race a ping (or its timeout) if the
/// machine stalls for 300 ms (the suite itself has that race).</item>
/// </list>
/// </summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    private TestServer? _server;
    private TestServer? _quietServer;

    public RequestProbe Probe { get; } = new();

    public RawClient Client { get; private set; } = null!;

    public RawClient QuietClient { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await RawClient.StartConformanceServerAsync(Probe);
        Client = new RawClient(_server.Address, Probe);
        _quietServer = await RawClient.StartConformanceServerAsync(Probe, RawClient.DefaultTimings);
        QuietClient = new RawClient(_quietServer.Address, Probe);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        QuietClient?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_quietServer is not null)
        {
            await _quietServer.DisposeAsync();
        }
    }
}

/// <summary>
/// The conformance tests share one server and run one at a time: several of them check timings of a
/// few hundred milliseconds (ping interval 300, ping timeout 200), which must not compete for the CPU
/// with each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceFixture>
{
    public const string Name = "Conformance";
}

/// <summary>A GET the server is holding: the client's view of it, and the server's end of it.</summary>
public sealed record PendingPoll(Task<(HttpStatusCode Status, string Body)> Response, Task ServerCompleted);

/// <summary>One WebSocket frame received: text, binary, or the end of the connection.</summary>
public readonly record struct WsFrame(WebSocketMessageType Type, byte[] Data, WebSocketCloseStatus? CloseStatus = null)
{
    public bool IsClose => Type == WebSocketMessageType.Close;

    public bool IsText => Type == WebSocketMessageType.Text;

    public string Text => Encoding.UTF8.GetString(Data);

    public override string ToString() => Type switch
    {
        WebSocketMessageType.Text => $"text '{Text}'",
        WebSocketMessageType.Binary => $"binary [{string.Join(",", Data)}]",
        _ => $"close ({CloseStatus?.ToString() ?? "no close frame"})",
    };
}

/// <summary>A raw WebSocket whose every read has a timeout.</summary>
public sealed class WsClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private bool _closed;

    private WsClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    public static async Task<WsClient> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new WsClient(socket);
    }

    /// <summary>
    /// Tries to open a WebSocket that the server should refuse. Returns the HTTP status when the
    /// handshake itself was refused, or null when the socket opened and was then closed by the server.
    /// Fails if it opened and stayed open.
    /// </summary>
    public static async Task<HttpStatusCode?> ExpectRefusedOrClosedAsync(Uri uri)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using (var timeout = new CancellationTokenSource(RawClient.Timeout))
        {
            try
            {
                await socket.ConnectAsync(uri, timeout.Token);
            }
            catch (WebSocketException)
            {
                Assert.NotEqual(0, (int)socket.HttpStatusCode);
                return socket.HttpStatusCode;
            }
        }

        await using var client = new WsClient(socket);
        await client.WaitForCloseAsync();
        return null;
    }

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
    }

    public async Task SendBinaryAsync(byte[] data)
    {
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        await _socket.SendAsync(data, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
    }

    /// <summary>Sends one message split over several frames.</summary>
    public async Task SendFragmentedTextAsync(string text, int fragmentSize)
    {
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var offset = 0; offset < bytes.Length; offset += fragmentSize)
        {
            var count = Math.Min(fragmentSize, bytes.Length - offset);
            await _socket.SendAsync(bytes.AsMemory(offset, count), WebSocketMessageType.Text, offset + count == bytes.Length, timeout.Token);
        }
    }

    /// <summary>The next frame, whatever it is; a close (with or without close frame) is a frame too.</summary>
    public async Task<WsFrame> ReceiveAsync(TimeSpan? timeout = null)
    {
        if (_closed)
        {
            return new WsFrame(WebSocketMessageType.Close, [], _socket.CloseStatus);
        }

        using var cts = new CancellationTokenSource(timeout ?? RawClient.Timeout);
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(_buffer, cts.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed = true;
                    return new WsFrame(WebSocketMessageType.Close, [], result.CloseStatus);
                }

                message.Write(_buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return new WsFrame(result.MessageType, message.ToArray());
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No WebSocket frame within {(timeout ?? RawClient.Timeout).TotalSeconds} s.");
        }
        catch (WebSocketException)
        {
            // The server dropped the connection without a close handshake: closed all the same.
            _closed = true;
            return new WsFrame(WebSocketMessageType.Close, []);
        }
    }

    /// <summary>The next frame, which must be text.</summary>
    public async Task<string> ReceiveTextAsync()
    {
        var frame = await ReceiveAsync();
        Assert.True(frame.IsText, $"expected a text frame, got {frame}");
        return frame.Text;
    }

    /// <summary>
    /// The next frame that is not an Engine.IO ping; pings met on the way are answered with a pong,
    /// so the session stays alive however long the test takes.
    /// </summary>
    public async Task<WsFrame> ReceiveSkippingPingsAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var left = RawClient.Timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No frame other than pings within {RawClient.Timeout.TotalSeconds} s.");
            }

            var frame = await ReceiveAsync(left);
            if (frame.IsText && frame.Text == "2")
            {
                await TrySendAsync("3");
                continue;
            }

            return frame;
        }
    }

    /// <summary>The next text frame other than a ping (pings are answered).</summary>
    public async Task<string> ReceivePacketAsync()
    {
        var frame = await ReceiveSkippingPingsAsync();
        Assert.True(frame.IsText, $"expected a text frame, got {frame}");
        return frame.Text;
    }

    /// <summary>The next binary frame other than a ping (pings are answered).</summary>
    public async Task<byte[]> ReceiveBinaryAsync()
    {
        var frame = await ReceiveSkippingPingsAsync();
        Assert.True(frame.Type == WebSocketMessageType.Binary, $"expected a binary frame, got {frame}");
        return frame.Data;
    }

    /// <summary>
    /// Reads until the server closes the connection and returns the frames that came before the close.
    /// Fails if it is still open after <paramref name="timeout"/>.
    /// </summary>
    public async Task<List<WsFrame>> WaitForCloseAsync(TimeSpan? timeout = null, bool answerPings = false)
    {
        var limit = timeout ?? RawClient.Timeout;
        var elapsed = Stopwatch.StartNew();
        var frames = new List<WsFrame>();
        while (true)
        {
            var left = limit - elapsed.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The server did not close the WebSocket within {limit.TotalSeconds} s; received: {string.Join("; ", frames)}");
            }

            WsFrame frame;
            try
            {
                frame = await ReceiveAsync(left);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"The server did not close the WebSocket within {limit.TotalSeconds} s; received: {string.Join("; ", frames)}");
            }

            if (frame.IsClose)
            {
                return frames;
            }

            frames.Add(frame);
            if (answerPings && frame.IsText && frame.Text == "2")
            {
                await TrySendAsync("3");
            }
        }
    }

    private async Task TrySendAsync(string text)
    {
        try
        {
            await SendTextAsync(text);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed meanwhile: the next read reports it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                _socket.Abort();
            }
        }

        _socket.Dispose();
    }
}
