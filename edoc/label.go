package edoc

// Label is a name shown to users: Vietnamese first, English available.
type Label struct {
	VI string `json:"vi"`
	EN string `json:"en"`
}

// String is the Vietnamese name.
func (l Label) String() string { return l.VI }
