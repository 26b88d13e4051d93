using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Channels.Tests.Integration;

/// <summary>
/// Real <c>socket.io-client</c> sockets in one Node process (tests/Runtime.Tests/node/driver.mjs),
/// commanded over stdin; every event they see comes back as a JSON line. The test command installs the
/// npm packages (<c>npm ci</c>) before the tests run.
/// </summary>
public sealed class NodeClients : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly List<JsonObject> _seen = [];
    private readonly Task _reading;
    private int _nextRef;

    private NodeClients(Process process)
    {
        _process = process;
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Starts the driver: <c>driver.mjs</c> (socket.io-client) or <c>channels-driver.mjs</c> (our channels.js).</summary>
    public static NodeClients Start(string script = "driver.mjs")
    {
        var folder = Repo.Path("tests", "Runtime.Tests", "node");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "socket.io-client")))
        {
            throw new InvalidOperationException($"socket.io-client is not installed: run `npm ci` in {folder} (the README's test command does).");
        }

        var info = new ProcessStartInfo("node", script)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return new NodeClients(Process.Start(info) ?? throw new InvalidOperationException("node did not start"));
    }

    /// <summary>Every event received so far, for assertions about what did not happen.</summary>
    public IReadOnlyList<JsonObject> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public Task ConnectAsync(string client, Uri server, string @namespace = "/", object? options = null) =>
        SendAsync(new JsonObject
        {
            ["cmd"] = "connect",
            ["client"] = client,
            ["url"] = server.ToString().TrimEnd('/'),
            ["namespace"] = @namespace,
            ["opts"] = options is null ? new JsonObject() : JsonNode.Parse(JsonSerializer.Serialize(options)),
        });

    /// <summary>Connects and waits for the connect event; returns the socket id.</summary>
    public async Task<string> ConnectedAsync(string client, Uri server, string @namespace = "/", object? options = null)
    {
        await ConnectAsync(client, server, @namespace, options);
        var connected = await WaitAsync(client, "connect");
        return connected["id"]!.GetValue<string>();
    }

    public Task EmitAsync(string client, string @event, params JsonNode?[] args) =>
        SendAsync(new JsonObject { ["cmd"] = "emit", ["client"] = client, ["event"] = @event, ["args"] = new JsonArray(args) });

    /// <summary>Emits with an ack and returns the ack's first argument.</summary>
    public async Task<JsonNode?> EmitWithAckAsync(string client, string @event, params JsonNode?[] args)
    {
        var id = Interlocked.Increment(ref _nextRef);
        await SendAsync(new JsonObject { ["cmd"] = "emit", ["client"] = client, ["event"] = @event, ["args"] = new JsonArray(args), ["ack"] = true, ["ref"] = id });
        var ack = await WaitAsync(e => e["type"]?.GetValue<string>() == "ack" && e["ref"]?.GetValue<int>() == id, $"ack {id} of {client}");
        if (ack["error"] is { } error)
        {
            throw new InvalidOperationException($"ack failed: {error}. Seen: {string.Join(Environment.NewLine, Seen.Select(e => e.ToJsonString()))}");
        }

        return ack["args"]![0];
    }

    public Task SendMessageAsync(string client, params JsonNode?[] args) =>
        SendAsync(new JsonObject { ["cmd"] = "send", ["client"] = client, ["args"] = new JsonArray(args) });

    /// <summary>channels-driver.mjs only: opens a live presence view (<c>client.presence</c>); each change comes back as a "presence" line.</summary>
    public Task WatchPresenceAsync(string client, string channel) =>
        SendAsync(new JsonObject { ["cmd"] = "presence", ["client"] = client, ["channel"] = channel });

    public Task DisconnectAsync(string client) => SendAsync(new JsonObject { ["cmd"] = "disconnect", ["client"] = client });

    /// <summary>Closes the client's transport (<c>socket.io.engine.close()</c>) and keeps it from reconnecting until <see cref="ReconnectAsync"/>.</summary>
    public Task DropAsync(string client) => SendAsync(new JsonObject { ["cmd"] = "drop", ["client"] = client });

    /// <summary>Reconnects a client dropped with <see cref="DropAsync"/>.</summary>
    public Task ReconnectAsync(string client) => SendAsync(new JsonObject { ["cmd"] = "reconnect", ["client"] = client });

    /// <summary>Waits for the next event of <paramref name="type"/> (and event name) on a client.</summary>
    public Task<JsonObject> WaitAsync(string client, string type, string? @event = null, TimeSpan? timeout = null) =>
        WaitAsync(
            e => e["client"]?.GetValue<string>() == client && e["type"]?.GetValue<string>() == type && (@event is null || e["event"]?.GetValue<string>() == @event),
            $"{type} {@event} on {client}",
            timeout);

    /// <summary>Waits for the next unconsumed event that matches, in arrival order.</summary>
    public async Task<JsonObject> WaitAsync(Func<JsonObject, bool> match, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_pending)
            {
                var index = _pending.FindIndex(e => match(e));
                if (index >= 0)
                {
                    var found = _pending[index];
                    _pending.RemoveAt(index);
                    return found;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}. Seen: {string.Join(Environment.NewLine, Seen.Select(e => e.ToJsonString()))}");
            }
        }
    }

    private readonly List<JsonObject> _pending = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task SendAsync(JsonObject command)
    {
        await _process.StandardInput.WriteLineAsync(command.ToJsonString());
        await _process.StandardInput.FlushAsync();
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (JsonNode.Parse(line) is JsonObject e)
            {
                lock (_seen)
                {
                    _seen.Add(e);
                }

                TaskCompletionSource changed;
                lock (_pending)
                {
                    _pending.Add(e);
                    changed = _changed;
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                changed.TrySetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await SendAsync(new JsonObject { ["cmd"] = "exit" });
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _reading.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
        _process.Dispose();
    }
}
