"""`node(id)`: any object that implements the Relay `Node` interface, by its id."""
