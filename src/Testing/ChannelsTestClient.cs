using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;

namespace Channels.Testing;

/// <summary>
/// A Socket.IO v5 client for tests: it speaks the real protocol (Engine.IO v4 over WebSocket) to the app,
/// in memory through a <see cref="TestServer"/> (a <c>WebApplicationFactory</c>'s or a
/// <see cref="ChannelsTestHost"/>'s) or over loopback to a running server, so the app's generated handler
/// table and the real dispatch run. Connect, then subscribe, publish and emit with their acks, and await
/// what the server sends with <see cref="NextAsync(string?, TimeSpan?, CancellationToken)"/>. Arguments are serialized with reflection-based
/// <c>System.Text.Json</c> (<see cref="ChannelsTestClientOptions.JsonOptions"/>): it is for test code.
/// </summary>
public sealed partial class ChannelsTestClient : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly ChannelsTestClientOptions _options;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<ReceivedEvent> _unread = [];
    private readonly Dictionary<long, TaskCompletionSource<IReadOnlyList<JsonElement>>> _acks = [];
    private readonly Dictionary<string, Func<ReceivedEvent, object?>> _answers = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (ClientPacket Packet, List<ReadOnlyMemory<byte>> Attachments)? _partial;
    private bool _overflowed;
    private long _nextAck;
    private Task _receiving = Task.CompletedTask;

    private ChannelsTestClient(WebSocket socket, ChannelsTestClientOptions options)
    {
        _socket = socket;
        _options = options;
        foreach (var (eventName, reply) in options.Answers)
        {
            _answers[eventName] = reply;
        }
    }

    /// <summary>The socket id the server gave this connection (what handlers see as <c>ChannelSocket.Id</c>).</summary>
    public string Id { get; private set; } = "";

    /// <summary>The namespace this client joined.</summary>
    public string Namespace => _options.Namespace;

    /// <summary>
    /// Completes when the connection ends, with the reason as socket.io-client names it: <c>io server
    /// disconnect</c> (the server disconnected the socket), <c>io client disconnect</c>, or
    /// <c>transport close</c>.
    /// </summary>
    public Task<string> Disconnected => _disconnected.Task;

    /// <summary>Connects in memory to the app of <paramref name="server"/> (for example <c>factory.Server</c> of a <c>WebApplicationFactory&lt;Program&gt;</c>).</summary>
    /// <exception cref="ChannelsTestException">The server refused the connection (CONNECT_ERROR) or did not answer in time.</exception>
    public static async Task<ChannelsTestClient> ConnectAsync(TestServer server, ChannelsTestClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        options ??= new ChannelsTestClientOptions();
        var client = server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            foreach (var (name, value) in options.Headers)
            {
                request.Headers[name] = value;
            }
        };
        var socket = await client.ConnectAsync(Url(server.BaseAddress, options), cancellationToken).ConfigureAwait(false);
        return await StartAsync(socket, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects over the network to a running app at <paramref name="address"/> (e.g. <c>http://127.0.0.1:5000/</c>).</summary>
    /// <exception cref="ChannelsTestException">The server refused the connection (CONNECT_ERROR) or did not answer in time.</exception>
    public static async Task<ChannelsTestClient> ConnectOverNetworkAsync(Uri address, ChannelsTestClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        options ??= new ChannelsTestClientOptions();
        var socket = new ClientWebSocket();
        foreach (var (name, value) in options.Headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }

        try
        {
            await socket.ConnectAsync(Url(address, options), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return await StartAsync(socket, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets the answer this client gives when the server emits <paramref name="eventName"/> with an ack
    /// (<c>ChannelSocket.EmitWithAckAsync</c>). Without one, such an event is only received, never answered.
    /// </summary>
    public void Answer(string eventName, Func<ReceivedEvent, object?> reply)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(reply);
        lock (_gate)
        {
            _answers[eventName] = reply;
        }
    }

    /// <summary>Subscribes to <paramref name="channel"/>; the server's answer (<c>{"ok":false,"error":…}</c> when refused).</summary>
    public async Task<ChannelAck> SubscribeAsync(string channel, CancellationToken cancellationToken = default) =>
        ToChannelAck(await RequestAsync("subscribe", [channel], cancellationToken).ConfigureAwait(false));

    /// <summary>Unsubscribes from <paramref name="channel"/>; the server's answer.</summary>
    public async Task<ChannelAck> UnsubscribeAsync(string channel, CancellationToken cancellationToken = default) =>
        ToChannelAck(await RequestAsync("unsubscribe", [channel], cancellationToken).ConfigureAwait(false));

    /// <summary>Publishes <paramref name="message"/> to <paramref name="channel"/> (its <c>[OnMessage]</c> handlers run); the server's answer.</summary>
    public async Task<ChannelAck> PublishAsync(string channel, object? message, CancellationToken cancellationToken = default) =>
        ToChannelAck(await RequestAsync("publish", [channel, message], cancellationToken).ConfigureAwait(false));

    /// <summary>Sends a plain message (the <c>[OnMessage]</c> handlers run with no channel); no answer is awaited.</summary>
    public Task SendAsync(object? message) => EmitAsync("message", message);

    /// <summary>Emits a custom event (<c>[OnEvent]</c>) without an ack.</summary>
    public Task EmitAsync(string eventName, params object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        return SendTextAsync(ClientPacket.Write(ClientPacket.Event, Namespace, null, Arguments(eventName, arguments)), CancellationToken.None);
    }

    /// <summary>
    /// Emits a custom event and waits for its ack: the first value the server answered with (what the
    /// <c>[OnEvent]</c> handler returned), or a value of kind <see cref="JsonValueKind.Undefined"/> for an empty ack.
    /// </summary>
    /// <exception cref="TimeoutException">No ack within <see cref="ChannelsTestClientOptions.Timeout"/>.</exception>
    public async Task<JsonElement> EmitWithAckAsync(string eventName, params object?[] arguments)
    {
        var reply = await RequestAsync(eventName, arguments, CancellationToken.None).ConfigureAwait(false);
        return reply.Count > 0 ? reply[0] : default;
    }

    /// <summary>
    /// Waits for the next event named <paramref name="eventName"/> (any event when null) that has not been
    /// read yet; events of other names stay unread, in order.
    /// </summary>
    /// <exception cref="TimeoutException">None within <paramref name="timeout"/> (default <see cref="ChannelsTestClientOptions.Timeout"/>); the message lists what did arrive.</exception>
    /// <exception cref="ChannelsTestException">The connection ended first, or more than <see cref="ChannelsTestClientOptions.MaxUnreadEvents"/> events went unread.</exception>
    public Task<ReceivedEvent> NextAsync(string? eventName = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        TakeAsync(e => eventName is null || e.Name == eventName, eventName is null ? "event" : $"'{eventName}' event", timeout, cancellationToken);

    /// <summary>Waits for the next channel message, from <paramref name="channel"/> when given (see <see cref="NextAsync(string?, TimeSpan?, CancellationToken)"/>).</summary>
    public Task<ReceivedEvent> NextMessageAsync(string? channel = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        TakeAsync(
            e => e.Name == "message" && (channel is null || e.Channel == channel),
            channel is null ? "message" : $"message on '{channel}'",
            timeout,
            cancellationToken);

    /// <summary>The events received and not read yet, oldest first (for asserting what did not arrive).</summary>
    public IReadOnlyList<ReceivedEvent> Unread
    {
        get
        {
            lock (_gate)
            {
                return [.. _unread];
            }
        }
    }

    /// <summary>Leaves the namespace (the server runs <c>[OnDisconnect]</c>, then the rest of its close sequence) and closes the connection.</summary>
    public async Task DisconnectAsync()
    {
        if (!_disconnected.Task.IsCompleted && Id.Length > 0)
        {
            try
            {
                await SendTextAsync(ClientPacket.Write(ClientPacket.Disconnect, Namespace, null, null), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The server went first: the connection is over either way.
            }
        }

        _disconnected.TrySetResult("io client disconnect");
        await CloseAsync().ConfigureAwait(false);
    }

    /// <summary>Disconnects (see <see cref="DisconnectAsync"/>) and releases the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await DisconnectAsync().ConfigureAwait(false);
        }
        finally
        {
            _socket.Dispose();
        }
    }

    /// <summary>
    /// Sends our close frame (the receive loop reads the server's), waits for the loop to end within the
    /// timeout, and aborts the socket if it does not: a test never hangs on a server that stopped reading.
    /// </summary>
    private async Task CloseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.Timeout);
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }

        try
        {
            await _receiving.WaitAsync(_options.Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _socket.Abort();
            await _receiving.ConfigureAwait(false);
        }
    }

    private static Uri Url(Uri address, ChannelsTestClientOptions options)
    {
        var query = new StringBuilder("EIO=4&transport=websocket");
        foreach (var (name, value) in options.Query)
        {
            query.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        var scheme = address.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return new UriBuilder(address) { Scheme = scheme, Path = options.Path.TrimEnd('/') + "/", Query = query.ToString() }.Uri;
    }

    private static async Task<ChannelsTestClient> StartAsync(WebSocket socket, ChannelsTestClientOptions options, CancellationToken cancellationToken)
    {
        var client = new ChannelsTestClient(socket, options);
        client._receiving = Task.Run(client.ReceiveAsync, CancellationToken.None);
        try
        {
            client.Id = await client._connected.Task.WaitAsync(options.Timeout, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (TimeoutException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new ChannelsTestException($"No CONNECT answer from the server within {options.Timeout.TotalSeconds:0.#} s (namespace {options.Namespace}, path {options.Path}).");
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<IReadOnlyList<JsonElement>> RequestAsync(string eventName, object?[] arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        var ack = new TaskCompletionSource<IReadOnlyList<JsonElement>>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (_gate)
        {
            id = _nextAck++;
            _acks[id] = ack;
        }

        try
        {
            await SendTextAsync(ClientPacket.Write(ClientPacket.Event, Namespace, id, Arguments(eventName, arguments)), cancellationToken).ConfigureAwait(false);
            return await ack.Task.WaitAsync(_options.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No ack for '{eventName}' within {_options.Timeout.TotalSeconds:0.#} s on socket {Id}.");
        }
        finally
        {
            lock (_gate)
            {
                _acks.Remove(id);
            }
        }
    }

    private async Task<ReceivedEvent> TakeAsync(Func<ReceivedEvent, bool> match, string what, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var wait = timeout ?? _options.Timeout;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(wait);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_overflowed)
                {
                    throw new ChannelsTestException($"More than {_options.MaxUnreadEvents} events went unread on socket {Id}; read them (NextAsync) or raise MaxUnreadEvents.");
                }

                var index = _unread.FindIndex(e => match(e));
                if (index >= 0)
                {
                    var found = _unread[index];
                    _unread.RemoveAt(index);
                    return found;
                }

                if (_disconnected.Task.IsCompleted)
                {
                    throw new ChannelsTestException($"The connection ended ({_disconnected.Task.Result}) before a {what} arrived on socket {Id}. {UnreadText()}");
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"No {what} within {wait.TotalSeconds:0.#} s on socket {Id}. {UnreadText()}");
                }
            }
        }
    }

    private string UnreadText() => _unread.Count == 0
        ? "Nothing else arrived."
        : $"Unread: {string.Join("; ", _unread.Take(5).Select(e => ClientPacket.Excerpt(e.ToString())))}{(_unread.Count > 5 ? $" and {_unread.Count - 5} more" : "")}.";

    private string Arguments(string eventName, object?[] arguments) =>
        JsonSerializer.Serialize<object?[]>([eventName, .. arguments ?? [null]], _options.JsonOptions);

    private static ChannelAck ToChannelAck(IReadOnlyList<JsonElement> reply) =>
        reply.Count > 0 && reply[0].ValueKind == JsonValueKind.Object && reply[0].TryGetProperty("ok", out var ok) && ok.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? new ChannelAck(ok.GetBoolean(), reply[0].TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null)
            : throw new ChannelsTestException($"Expected an answer {{\"ok\":…}}, got [{string.Join(", ", reply.Select(r => r.GetRawText()))}].");

    private async Task SendTextAsync(string text, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }
}
