module np.local/pause

go 1.24
