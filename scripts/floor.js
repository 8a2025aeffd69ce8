// The benchmark floor: what any synth pays to start node and load cdk8s and cdk8s-plus-28.
require('cdk8s');
require('cdk8s-plus-28');
