using Mesh.Cli.Local.Network;
using Mesh.Protocol.Local;

namespace Mesh.Cli.Tests.Local;

public class NetnsFilesTests
{
    private static LocalPod Pod(string ns = "demo") =>
        new("Kubernetes//Pod/demo/client", ns, "client", "node-0", "10.244.0.9", true, "default", new Dictionary<string, string>(), []);

    [Fact]
    public void Resolv_keeps_host_nameservers_and_adds_cluster_search()
    {
        var text = NetnsFiles.Resolv("# generated\nnameserver 1.1.1.1\nsearch example.com\n  nameserver 9.9.9.9\noptions edns0\n", "demo");
        Assert.Equal("nameserver 1.1.1.1\nnameserver 9.9.9.9\nsearch demo.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n", text);
    }

    [Fact]
    public void Hosts_name_every_service_and_bare_names_only_in_the_own_namespace()
    {
        LocalService[] services =
        [
            new("demo", "echo", "echo.demo.svc.cluster.local", ["10.96.0.10"], [8080]),
            new("other", "db", "db.other.svc.cluster.local", ["10.96.0.11"], [5432]),
            new("other", "novip", "novip.other.svc.cluster.local", [], [1]),
        ];
        var text = NetnsFiles.Hosts(Pod(), services);
        Assert.Contains("10.244.0.9\tclient\n", text);
        Assert.Contains("10.96.0.10\techo.demo.svc.cluster.local echo.demo.svc echo.demo echo\n", text);
        Assert.Contains("10.96.0.11\tdb.other.svc.cluster.local db.other.svc db.other\n", text);
        Assert.DoesNotContain("novip", text);
        Assert.StartsWith("127.0.0.1\tlocalhost\n", text);
    }

    [Fact]
    public void WriteInPlace_keeps_the_inode()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "a much longer first version\n");
            var before = new FileInfo(path);
            var inode = Inode(path);
            NetnsFiles.WriteInPlace(path, "short\n");
            Assert.Equal("short\n", File.ReadAllText(path));
            Assert.Equal(inode, Inode(path));
            Assert.True(before.Exists);
        }
        finally { File.Delete(path); }
    }

    private static string Inode(string path) => File.ReadAllText("/proc/self/mountinfo").Length > 0
        ? Mesh.Cli.Local.Network.CommandRunner.Instance.Run("stat", "-c", "%i", path).Stdout.Trim() : "";
}
