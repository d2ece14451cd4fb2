using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Mesh.Cli.Local.Network;

namespace Mesh.Integration.Tests.Proofs;

/// <summary>
/// A TCP socket the test itself owns, created inside a local-mesh pod's network namespace: to the pod's capture rules
/// it is one of the pod's apps, yet every read and its timestamp happen in the test process, on the test's clock.
/// Network namespaces are per thread, so the socket is made on a throw-away thread that enters the pod's netns and
/// then ends (a pool thread is never switched); a socket keeps the namespace it was created in for life.
/// </summary>
internal static partial class PodSocket
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Connects from pod <paramref name="ns"/>/<paramref name="pod"/> to <paramref name="target"/>.</summary>
    public static async Task<Socket> ConnectAsync(string ns, string pod, IPEndPoint target, TimeSpan timeout)
    {
        var socket = await CreateInAsync(LocalNames.NetnsPath(LocalNames.Netns(ns, pod)));
        try
        {
            using var deadline = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(target, deadline.Token);
            socket.NoDelay = true;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Task<Socket> CreateInAsync(string netnsPath)
    {
        var done = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(netnsPath, FileMode.Open, FileAccess.Read);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new IOException($"setns into {netnsPath} failed: errno {Marshal.GetLastPInvokeError()}");
                done.SetResult(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "pod socket " + netnsPath };
        thread.Start();
        return done.Task;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
