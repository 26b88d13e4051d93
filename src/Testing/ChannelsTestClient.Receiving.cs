using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Channels.Testing;

// The read side: one loop per client reads what the server sends, answers pings and acks, and queues events.
public sealed partial class ChannelsTestClient
{
    private async Task ReceiveAsync()
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        var reason = "transport close";
        try
        {
            while (true)
            {
                buffer.SetLength(0);
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(chunk, CancellationToken.None).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    buffer.Write(chunk, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await OnBinaryAsync(buffer.ToArray()).ConfigureAwait(false);
                }
                else if (await OnTextAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).ConfigureAwait(false) is { } ended)
                {
                    // The server ended it (DISCONNECT, CONNECT_ERROR, CLOSE): answer with our close frame.
                    reason = ended;
                    _disconnected.TrySetResult(reason);
                    using var timeout = new CancellationTokenSource(_options.Timeout);
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (Exception ex)
        {
            // A packet the client cannot read, or an Answer callback that threw: the test hears of it as the
            // reason the connection ended, never as a silent stop.
            reason = $"client error: {ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            _connected.TrySetException(new ChannelsTestException($"The connection closed before the server answered CONNECT ({reason})."));
            _disconnected.TrySetResult(reason);
            lock (_gate)
            {
                foreach (var ack in _acks.Values)
                {
                    ack.TrySetException(new ChannelsTestException($"The connection ended ({reason}) before the ack arrived."));
                }

                Changed();
            }
        }
    }

    /// <summary>Handles one Engine.IO text message; returns a disconnect reason when it ends the connection.</summary>
    private async Task<string?> OnTextAsync(string text)
    {
        switch (text.Length == 0 ? ' ' : text[0])
        {
            case '0':
                var auth = _options.Auth is null ? null : JsonSerializer.Serialize(_options.Auth, _options.JsonOptions);
                await SendTextAsync(ClientPacket.Write(ClientPacket.Connect, Namespace, null, auth), CancellationToken.None).ConfigureAwait(false);
                return null;
            case '1':
                return "transport close";
            case '2':
                await SendTextAsync("3", CancellationToken.None).ConfigureAwait(false);
                return null;
            case '4':
                var packet = ClientPacket.Parse(text[1..]);
                return packet.Namespace == Namespace ? await OnPacketAsync(packet).ConfigureAwait(false) : null;
            default:
                return null;
        }
    }

    private async Task<string?> OnPacketAsync(ClientPacket packet)
    {
        switch (packet.Type)
        {
            case ClientPacket.Connect:
                using (var connect = JsonDocument.Parse(packet.Json))
                {
                    _connected.TrySetResult(connect.RootElement.GetProperty("sid").GetString()!);
                }

                return null;
            case ClientPacket.ConnectError:
                using (var error = JsonDocument.Parse(packet.Json))
                {
                    var message = error.RootElement.TryGetProperty("message", out var m) ? m.GetString() : error.RootElement.GetRawText();
                    _connected.TrySetException(new ChannelsTestException($"The server refused the connection: {message}"));
                }

                return "connect error";
            case ClientPacket.Disconnect:
                return "io server disconnect";
            case ClientPacket.Event or ClientPacket.Ack when packet.Attachments == 0:
                await OnCompleteAsync(packet, []).ConfigureAwait(false);
                return null;
            case ClientPacket.BinaryEvent or ClientPacket.BinaryAck:
                _partial = (packet, new List<ReadOnlyMemory<byte>>(packet.Attachments));
                return null;
            default:
                return null;
        }
    }

    private async Task OnBinaryAsync(byte[] attachment)
    {
        if (_partial is not { } partial)
        {
            return;
        }

        partial.Attachments.Add(attachment);
        if (partial.Attachments.Count == partial.Packet.Attachments)
        {
            _partial = null;
            await OnCompleteAsync(partial.Packet, partial.Attachments).ConfigureAwait(false);
        }
    }

    private async Task OnCompleteAsync(ClientPacket packet, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        using var document = JsonDocument.Parse(packet.Json);
        var items = document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
        if (packet.Type is ClientPacket.Ack or ClientPacket.BinaryAck)
        {
            TaskCompletionSource<IReadOnlyList<JsonElement>>? ack;
            lock (_gate)
            {
                _acks.Remove(packet.AckId ?? -1, out ack);
            }

            ack?.TrySetResult(items);
            return;
        }

        var received = new ReceivedEvent(items[0].GetString() ?? "", items.Skip(1).ToList(), attachments, _options.JsonOptions);
        Func<ReceivedEvent, object?>? answer = null;
        lock (_gate)
        {
            if (_unread.Count >= _options.MaxUnreadEvents)
            {
                _overflowed = true;
            }
            else
            {
                _unread.Add(received);
            }

            if (packet.AckId is not null)
            {
                _answers.TryGetValue(received.Name, out answer);
            }

            Changed();
        }

        if (packet.AckId is { } id && answer is not null)
        {
            var reply = JsonSerializer.Serialize<object?[]>([answer(received)], _options.JsonOptions);
            await SendTextAsync(ClientPacket.Write(ClientPacket.Ack, Namespace, id, reply), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Wakes the readers waiting in <see cref="TakeAsync"/>; under the gate.</summary>
    private void Changed()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
