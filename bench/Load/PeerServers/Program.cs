// The peers of bench/Load, chosen by the first argument:
//   signalr: a SignalR hub where Subscribe joins a group and Publish sends to the others in it;
//   raw:     a raw WebSocket relay (every text frame goes to every other connection): the upper bound.
using System.Collections.Concurrent;
using System.Net.WebSockets;
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
    app.UseWebSockets();
    var sockets = new ConcurrentDictionary<WebSocket, SemaphoreSlim>();
    app.Map("/raw", async context =>
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        sockets[socket] = new SemaphoreSlim(1, 1);
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

                var frame = buffer.AsMemory(0, result.Count).ToArray();
                foreach (var (other, gate) in sockets)
                {
                    if (other != socket && other.State == WebSocketState.Open)
                    {
                        await gate.WaitAsync();
                        try
                        {
                            await other.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                        }
                        catch (WebSocketException)
                        {
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }
                }
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            sockets.TryRemove(socket, out _);
        }
    });
}

app.Run();

/// <summary>Groups stand for channels.</summary>
public sealed class RelayHub : Hub
{
    public Task Subscribe(string channel) => Groups.AddToGroupAsync(Context.ConnectionId, channel);

    public Task Publish(string channel, string message) => Clients.OthersInGroup(channel).SendAsync("message", message, channel);
}
