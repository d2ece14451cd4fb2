using Mesh.Node.Hosting;
using Mesh.Node.State;
using Mesh.Testing;

namespace Mesh.Node.Tests.Hosting;

/// <summary>
/// Bad settings stop the ztunnel at start-up with one line naming the key, exit code 2 — checked on the real binary
/// (the mesh-node the test project references), and each rule on the validators.
/// </summary>
public class NodeOptionsValidationSpec
{
    [Theory]
    [InlineData("--Mesh:Node:OutboundPort=0", "Mesh:Node:OutboundPort = 0: a port must be 1–65535")]
    [InlineData("--Mesh:Node:InboundHbonePort=15001", "must differ")]
    [InlineData("--Mesh:Node:ConnectTimeout=-00:00:01", "Mesh:Node:ConnectTimeout = -00:00:01: must be greater than zero")]
    [InlineData("--Mesh:Node:ConnectTimeout=abc", "'abc' at 'Mesh:Node:ConnectTimeout'")]
    [InlineData("--Mesh:Node:Socks5Bind=localhost", "Mesh:Node:Socks5Bind = 'localhost': not an IP address")]
    [InlineData("--Mesh:Node:AddressCache:MaxEntries=0", "Mesh:Node:AddressCache:MaxEntries must be at least 1")]
    [InlineData("--Mesh:Port=abc", "'abc' at 'Mesh:Port'")]
    public async Task The_binary_refuses_a_bad_value_naming_its_key_with_exit_code_2(string argument, string expected)
    {
        var run = await ProgramRun.RunAsync("mesh-node.dll", ["--Mesh:Port=0", "--Mesh:AdminPort=0", argument]);
        var error = run.Stderr;
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("mesh-node: invalid configuration:", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Good_defaults_pass_and_every_bad_value_is_listed()
    {
        Assert.True(new NodeOptionsValidator().Validate(null, new NodeOptions()).Succeeded);
        var result = new NodeOptionsValidator().Validate(null, new NodeOptions
        {
            DnsPort = 70000,
            LookupTimeout = TimeSpan.Zero,
            Socks5Bind = "nope",
        });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Mesh:Node:DnsPort = 70000", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Mesh:Node:LookupTimeout", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Mesh:Node:Socks5Bind", StringComparison.Ordinal));
        Assert.True(new AddressCacheOptionsValidator().Validate(null, new AddressCacheOptions()).Succeeded);
        Assert.True(new AddressCacheOptionsValidator().Validate(null, new AddressCacheOptions { NegativeTtl = TimeSpan.Zero }).Failed);
    }
}
