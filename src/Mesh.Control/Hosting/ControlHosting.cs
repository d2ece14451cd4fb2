using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Mesh.Control.Distribution;
using Mesh.Hosting.Cluster;
using Mesh.Hosting.Sharding;
using Mesh.Protocol.Contracts;

namespace Mesh.Control.Hosting;

/// <summary>The control member's Akka composition: sharded state entities and the state publisher.</summary>
public static class ControlHosting
{
    public static AkkaConfigurationBuilder WithMeshState(this AkkaConfigurationBuilder akka, ControlOptions options)
    {
        var shardOptions = new ShardOptions
        {
            Role = MeshRoles.Control,
            StateStoreMode = Akka.Cluster.Sharding.StateStoreMode.DData,
            RememberEntities = false, // rebuilt from the source of truth by asking the publishers
            // Sharding's own idle passivation would stop entities that hold subscribers; address entities passivate
            // themselves once nobody watches them (AddressStateEntity), node entities stay.
            ShouldPassivateIdleEntities = false,
        };
        options.Validate();
        var ask = options.EntityAskInterval;
        var housekeeper = new AddressEntityHousekeeper(options.MaxIdleAddressEntities, options.AddressEntityIdle, ask);
        return akka
            .WithShardRegion<NodeStateRegion>(EntityTypes.NodeState,
                node => Props.Create(() => new NodeStateEntity(node, ask)), new NodeStateExtractor(), shardOptions)
            .WithShardRegion<AddressStateRegion>(EntityTypes.AddressState,
                address => Props.Create(() => new AddressStateEntity(address, housekeeper)), new AddressStateExtractor(), shardOptions)
            .WithActors((system, registry) =>
            {
                var nodes = registry.Get<NodeStateRegion>();
                var addresses = registry.Get<AddressStateRegion>();
                registry.Register<StatePublisher>(system.ActorOf(
                    Props.Create(() => new StatePublisher(nodes, addresses)), "state-publisher"));
            });
    }
}
