using Mesh.Testing;
using System.Net;
using Mesh.Node.Capture;

namespace Mesh.Node.Tests.Capture;

public sealed class NetworkNamespaceSpec : IAsyncLifetime
{
    private readonly string _name = $"mt-{Guid.NewGuid().ToString("N")[..8]}-ns";
    private bool _created;

    public async Task InitializeAsync()
    {
        if (new RootFactAttribute().Skip is null)
        {
            await Sh.RunAsync("ip", "netns", "add", _name);
            _created = true;
        }
    }

    public async Task DisposeAsync()
    {
        if (_created)
            await Sh.TryRunAsync("ip", "netns", "del", _name);
    }

    private static string CurrentThreadNetns() => new FileInfo("/proc/thread-self/ns/net").LinkTarget!;

    [Fact]
    public void Opening_a_missing_namespace_names_the_path()
    {
        var error = Assert.Throws<NetworkNamespaceException>(() => NetworkNamespace.Open("/var/run/netns/mt-does-not-exist"));
        Assert.Contains("/var/run/netns/mt-does-not-exist", error.Message);
        Assert.Contains("errno 2", error.Message);
    }

    [Fact]
    public async Task Entering_something_that_is_not_a_netns_fails_with_errno()
    {
        using var uts = NetworkNamespace.Open("/proc/self/ns/uts");
        var error = await Assert.ThrowsAsync<NetworkNamespaceException>(() => uts.RunAsync(() => 1));
        Assert.Contains("setns", error.Message);
        Assert.Contains("errno", error.Message);
    }

    [RootFact]
    public async Task Runs_on_a_dedicated_thread_inside_the_namespace_and_leaves_the_caller_alone()
    {
        var expected = (await Sh.RunAsync("ip", "netns", "exec", _name, "readlink", "/proc/self/ns/net")).Trim();
        var before = CurrentThreadNetns();
        using var netns = NetworkNamespace.OpenNamed(_name);

        var (inside, pool) = await netns.RunAsync(() => (CurrentThreadNetns(), Thread.CurrentThread.IsThreadPoolThread)).WaitAsync(Sh.Deadline);
        var sync = netns.Run(CurrentThreadNetns);

        Assert.Equal(expected, inside);
        Assert.Equal(expected, sync);
        Assert.False(pool);
        Assert.NotEqual(before, expected);
        Assert.Equal(before, CurrentThreadNetns());
    }

    [RootFact]
    public async Task Factory_creates_all_sockets_on_one_thread_in_the_namespace_until_disposed()
    {
        var factory = NetnsSocketFactory.Open($"/var/run/netns/{_name}");
        var threads = new HashSet<int>();
        for (var i = 0; i < 3; i++)
            threads.Add(await factory.RunAsync(() => Environment.CurrentManagedThreadId).WaitAsync(Sh.Deadline));
        using var listener = await factory.ListenAsync(new IPEndPoint(IPAddress.Loopback, 47123)).WaitAsync(Sh.Deadline);

        Assert.Single(threads);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
        // The listener lives in the pod netns, not in ours.
        Assert.Contains("127.0.0.1:47123", await Sh.RunAsync("ip", "netns", "exec", _name, "ss", "-ltnH"));
        Assert.DoesNotContain("127.0.0.1:47123", await Sh.RunAsync("ss", "-ltnH"));

        factory.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => factory.CreateTcpAsync(System.Net.Sockets.AddressFamily.InterNetwork));
    }
}
