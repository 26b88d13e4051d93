using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Channels.Redis.Tests;

/// <summary>A real redis-server on a free 127.0.0.1 port, with no persistence; can be killed and started again.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port},connectTimeout=2000,syncTimeout=2000";

    /// <summary>
    /// Starts on a port that was free a moment ago. redis-server cannot pick a port itself, so another
    /// process may take it in between: then redis-server exits at once and another port is tried.
    /// </summary>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
        for (var attempt = 1; ; attempt++)
        {
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                server.Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            if (await server.TryStartAsync())
            {
                return server;
            }

            if (attempt == 5)
            {
                throw new InvalidOperationException("redis-server did not start on any of 5 free ports.");
            }
        }
    }

    /// <summary>Starts the server process again on the same port and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (!await TryStartAsync())
        {
            throw new InvalidOperationException($"redis-server could not start again on port {Port} (taken meanwhile?).");
        }
    }

    /// <summary>True once the server accepts connections; false when it exited first (its port was taken).</summary>
    private async Task<bool> TryStartAsync()
    {
        if (!File.Exists("/usr/bin/redis-server"))
        {
            throw new InvalidOperationException("redis-server is not installed: the README's test command installs it (apt-get install redis-server).");
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(new ProcessStartInfo("/usr/bin/redis-server", $"--port {Port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var exited = _process.WaitForExitAsync();
        if (await Task.WhenAny(ready.Task, exited).WaitAsync(TimeSpan.FromSeconds(15)) == ready.Task)
        {
            return true;
        }

        _process.Dispose();
        _process = null;
        return false;
    }

    /// <summary>Kills the server process (as a crash would).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync() => new(KillAsync());
}
