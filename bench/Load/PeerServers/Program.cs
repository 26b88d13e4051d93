// The peers of bench/Load, chosen by the first argument:
//   signalr: a SignalR hub where Subscribe joins a group and Publish sends to the others in it;
//   raw:     a raw WebSocket relay (every text frame goes to every other connection, through a bounded
//            queue and a writer per connection): the upper bound, with no protocol at all.
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

var mode = args.FirstOrDefault() ?? "signalr";
var builder = WebApplication.CreateBuilder(args.Skip(1).ToArray());
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();
var app = builder.Build();
if (mode == "signalr")
{
    app.MapHub<RelayHub>("/hub");
}
else
{
    // Each connection has a bounded queue and its own writer, as a real server would: a frame is copied
    // once and queued for every other connection, so one slow reader never holds up the others.
    app.UseWebSockets();
    var queues = new ConcurrentDictionary<WebSocket, Channel<byte[]>>();
    app.Map("/raw", async context =>
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        // 16,384 frames: a whole timed fan-out round (10,000 messages to 100 subscribers) fits, so the relay
        // never drops what a burst queues up (ours allows 8,192 and disconnects a client past that).
        var queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
        queues[socket] = queue;
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in queue.Reader.ReadAllAsync())
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                }
            }
            catch (WebSocketException)
            {
            }
        });
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var frame = buffer.AsSpan(0, result.Count).ToArray();
                foreach (var (other, otherQueue) in queues)
                {
                    if (other != socket)
                    {
                        otherQueue.Writer.TryWrite(frame);
                    }
                }
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            queues.TryRemove(socket, out _);
            queue.Writer.TryComplete();
            await writer;
        }
    });
}

// For the idle-memory scenario, as in ChannelsServer.
app.Map("/bench/gc", static context =>
{
    GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    return Task.CompletedTask;
});
app.Run();

/// <summary>Groups stand for channels.</summary>
public sealed class RelayHub : Hub
{
    public Task Subscribe(string channel) => Groups.AddToGroupAsync(Context.ConnectionId, channel);

    public Task Publish(string channel, string message) => Clients.OthersInGroup(channel).SendAsync("message", message, channel);
}
