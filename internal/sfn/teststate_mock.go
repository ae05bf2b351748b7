package sfn

import (
	"slices"

	"stepd/internal/asl"
	"stepd/internal/jsonv"
)

// TestState checks a mocked Task result against the response model of the
// API it stands for (fieldValidationMode STRICT or PRESENT): every field it
// has that the model knows must have the model's type and satisfy its
// constraints; fields the model does not know are accepted (observed). stepd
// carries the response models of the integrations below; results of other
// integrations are not checked.

// shapeKind is the type of a field in a response model.
type shapeKind uint8

const (
	kindAny shapeKind = iota
	kindString
	kindNumber // any number (double, float)
	kindInteger
	kindBoolean
	kindBlob // base64 text
	kindTimestamp
	kindList
	kindMap // string keys, values of one shape
	kindStructure
)

// shape is a response model (a Smithy shape, reduced to what TestState
// checks).
type shape struct {
	kind     shapeKind
	fields   map[string]*shape // structure members
	member   *shape            // list member or map value
	enum     []string
	min, max *float64 // number range
	minLen   *int     // string, blob or list length
}

func mStr() *shape          { return &shape{kind: kindString} }
func mNum() *shape          { return &shape{kind: kindNumber} }
func mInt() *shape          { return &shape{kind: kindInteger} }
func mBool() *shape         { return &shape{kind: kindBoolean} }
func mAny() *shape          { return &shape{kind: kindAny} }
func mTime() *shape         { return &shape{kind: kindTimestamp} }
func mList(m *shape) *shape { return &shape{kind: kindList, member: m} }
func mMap(m *shape) *shape  { return &shape{kind: kindMap, member: m} }
func mStruct(f map[string]*shape) *shape {
	return &shape{kind: kindStructure, fields: f}
}
func mEnum(values ...string) *shape { return &shape{kind: kindString, enum: values} }
func mBlob(minLen int) *shape       { return &shape{kind: kindBlob, minLen: &minLen} }
func mIntRange(lo, hi float64) *shape {
	return &shape{kind: kindInteger, min: &lo, max: &hi}
}

// consumedCapacity is DynamoDB's ConsumedCapacity.
var consumedCapacity = mStruct(map[string]*shape{
	"TableName": mStr(), "CapacityUnits": mNum(), "ReadCapacityUnits": mNum(), "WriteCapacityUnits": mNum(),
	"Table":                  mStruct(map[string]*shape{"CapacityUnits": mNum(), "ReadCapacityUnits": mNum(), "WriteCapacityUnits": mNum()}),
	"LocalSecondaryIndexes":  mMap(mStruct(map[string]*shape{"CapacityUnits": mNum(), "ReadCapacityUnits": mNum(), "WriteCapacityUnits": mNum()})),
	"GlobalSecondaryIndexes": mMap(mStruct(map[string]*shape{"CapacityUnits": mNum(), "ReadCapacityUnits": mNum(), "WriteCapacityUnits": mNum()})),
})

// itemCollectionMetrics is DynamoDB's ItemCollectionMetrics.
var itemCollectionMetrics = mStruct(map[string]*shape{
	"ItemCollectionKey": mMap(mAny()), "SizeEstimateRangeGB": mList(mNum()),
})

// dynamoWrite is the response of DynamoDB's PutItem, UpdateItem and
// DeleteItem.
var dynamoWrite = mStruct(map[string]*shape{
	"Attributes": mMap(mAny()), "ConsumedCapacity": consumedCapacity, "ItemCollectionMetrics": itemCollectionMetrics,
})

// responseModels are the response models stepd checks mocks against, by
// integration (service and action, as a Task resource names them).
var responseModels = map[string]*shape{
	"lambda:invoke": mStruct(map[string]*shape{
		"StatusCode": mInt(), "FunctionError": mStr(), "LogResult": mStr(), "Payload": mAny(), "ExecutedVersion": mStr(),
	}),
	"events:putEvents": mStruct(map[string]*shape{
		"FailedEntryCount": mInt(),
		"Entries":          mList(mStruct(map[string]*shape{"EventId": mStr(), "ErrorCode": mStr(), "ErrorMessage": mStr()})),
	}),
	"dynamodb:putItem":    dynamoWrite,
	"dynamodb:updateItem": dynamoWrite,
	"dynamodb:deleteItem": dynamoWrite,
	"dynamodb:getItem": mStruct(map[string]*shape{
		"Item": mMap(mAny()), "ConsumedCapacity": consumedCapacity,
	}),
	"sqs:sendMessage": mStruct(map[string]*shape{
		"MD5OfMessageBody": mStr(), "MD5OfMessageAttributes": mStr(), "MD5OfMessageSystemAttributes": mStr(),
		"MessageId": mStr(), "SequenceNumber": mStr(),
	}),
	"sns:publish": mStruct(map[string]*shape{"MessageId": mStr(), "SequenceNumber": mStr()}),
	"states:startExecution": mStruct(map[string]*shape{
		"ExecutionArn": mStr(), "StartDate": mAny(),
	}),
	"aws-sdk:s3:getObject": mStruct(map[string]*shape{
		"Body": mAny(), "DeleteMarker": mBool(), "AcceptRanges": mStr(), "Expiration": mStr(), "Restore": mStr(),
		"LastModified": mTime(), "ContentLength": mInt(), "ETag": mStr(), "ChecksumCRC32": mStr(),
		"MissingMeta": mInt(), "VersionId": mStr(), "CacheControl": mStr(), "ContentDisposition": mStr(),
		"ContentEncoding": mStr(), "ContentLanguage": mStr(), "ContentRange": mStr(), "ContentType": mStr(),
		"Expires": mTime(), "WebsiteRedirectLocation": mStr(), "ServerSideEncryption": mEnum("AES256", "aws:kms", "aws:kms:dsse"),
		"Metadata": mMap(mStr()), "SSEKMSKeyId": mStr(), "BucketKeyEnabled": mBool(),
		"StorageClass": mEnum("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
			"DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS"),
		"RequestCharged": mEnum("requester"), "ReplicationStatus": mEnum("COMPLETE", "PENDING", "FAILED", "REPLICA", "COMPLETED"),
		"PartsCount": mInt(), "TagCount": mInt(), "ObjectLockMode": mEnum("GOVERNANCE", "COMPLIANCE"),
		"ObjectLockRetainUntilDate": mTime(), "ObjectLockLegalHoldStatus": mEnum("ON", "OFF"),
	}),
	"aws-sdk:kms:encrypt": mStruct(map[string]*shape{
		"CiphertextBlob": mBlob(1), "KeyId": mStr(),
		"EncryptionAlgorithm": mEnum("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"),
	}),
	"aws-sdk:lambda:getFunction": mStruct(map[string]*shape{
		"Configuration": mStruct(map[string]*shape{
			"FunctionName": mStr(), "FunctionArn": mStr(), "Runtime": mStr(), "Role": mStr(), "Handler": mStr(),
			"CodeSize": mInt(), "Description": mStr(), "Timeout": mIntRange(1, 900), "MemorySize": mIntRange(128, 10240),
			"LastModified": mStr(), "CodeSha256": mStr(), "Version": mStr(), "State": mEnum("Pending", "Active", "Inactive", "Failed"),
			"PackageType": mEnum("Zip", "Image"), "Architectures": mList(mEnum("x86_64", "arm64")),
		}),
		"Code": mStruct(map[string]*shape{"RepositoryType": mStr(), "Location": mStr(), "ImageUri": mStr(), "ResolvedImageUri": mStr()}),
		"Tags": mMap(mStr()),
	}),
}

// validateMockResult checks a mocked Task result against the response model
// of the resource's API, if stepd has it.
func validateMockResult(res asl.Resource, v any) error {
	if res.Kind != asl.ResourceService {
		return nil // a function's or an activity's result is whatever it returns
	}
	model, ok := responseModels[res.Service+":"+res.Action]
	if !ok {
		return nil
	}
	if msg := model.check("", v); msg != "" {
		return apiError(ErrValidation, "Mock result schema validation error: %s", msg)
	}
	return nil
}

// check returns what is wrong with v as a value of the shape, named field
// ("" at the top), or "".
func (sh *shape) check(field string, v any) string {
	bad := func(what string) string { return "Field '" + field + "' " + what }
	switch sh.kind {
	case kindAny:
		return ""
	case kindString, kindTimestamp:
		s, ok := v.(string)
		if !ok {
			if _, isNum := jsonv.AsFloat(v); sh.kind == kindTimestamp && isNum {
				return ""
			}
			return bad("must be a string")
		}
		if len(sh.enum) > 0 && !slices.Contains(sh.enum, s) {
			return bad("is not an expected value")
		}
	case kindBlob:
		s, ok := v.(string)
		if !ok {
			return bad("must be a string")
		}
		if sh.minLen != nil && len(s) < *sh.minLen {
			return bad("is smaller than the minimum length")
		}
	case kindNumber, kindInteger:
		f, ok := jsonv.AsFloat(v)
		if !ok {
			return bad("must be a number")
		}
		if sh.kind == kindInteger {
			if _, isInt := jsonv.AsInt(v); !isInt {
				return bad("must be an integer")
			}
		}
		if sh.min != nil && f < *sh.min {
			return bad("is less than the minimum value")
		}
		if sh.max != nil && f > *sh.max {
			return bad("exceeds the maximum value")
		}
	case kindBoolean:
		if _, ok := v.(bool); !ok {
			return bad("must be a boolean")
		}
	case kindList:
		items, ok := v.([]any)
		if !ok {
			return bad("must be an array")
		}
		for _, it := range items {
			if msg := sh.member.check(field, it); msg != "" {
				return msg
			}
		}
	case kindMap:
		o, ok := v.(*jsonv.Object)
		if !ok {
			return bad("must be an object")
		}
		for i := 0; i < o.Len(); i++ {
			k, fv := o.At(i)
			if msg := sh.member.check(k, fv); msg != "" {
				return msg
			}
		}
	case kindStructure:
		o, ok := v.(*jsonv.Object)
		if !ok {
			if field == "" {
				return "The mocked result must be a JSON object"
			}
			return bad("must be an object")
		}
		for i := 0; i < o.Len(); i++ {
			k, fv := o.At(i)
			if f, known := sh.fields[k]; known {
				if msg := f.check(k, fv); msg != "" {
					return msg
				}
			}
		}
	}
	return ""
}
