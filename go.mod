module github.com/cbl-lettings/cbl

go 1.26.8

require (
	github.com/shopspring/decimal v1.6.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/lib/pq v1.12.3 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
